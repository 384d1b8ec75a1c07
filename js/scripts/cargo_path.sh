# Sourced by the scripts that run cargo-installed tools (wasm-pack, wasm-bindgen, wasm-bindgen-test-runner): puts
# the folder cargo install writes to first on PATH. That is $CARGO_INSTALL_ROOT/bin when it is set (the
# fresh-machine rehearsal sets it), else $CARGO_HOME/bin (~/.cargo/bin), which also holds rustup's cargo.
install_bin="${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}/bin"
export PATH="$install_bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
