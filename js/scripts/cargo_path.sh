# Sourced by the scripts that run cargo-installed tools (wasm-pack, wasm-bindgen, wasm-bindgen-test-runner): puts
# the folder cargo install writes to first on PATH: $CARGO_INSTALL_ROOT/bin when it is set (the fresh-machine
# rehearsal sets it), else $CARGO_HOME/bin (~/.cargo/bin). That folder also holds rustup's cargo; when cargo is on
# PATH already and an install root is set, cargo's own folder is not added (the rehearsal hides it on purpose).
install_bin="${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}/bin"
export PATH="$install_bin:$PATH"
command -v cargo >/dev/null || export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
