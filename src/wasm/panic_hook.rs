//! Panics: a panic is a bug, and it must surface with its message. The hook keeps the message; the JS facade
//! reads it with `takeLastPanic()` after the trap and re-creates the engine on a fresh module instance.

use std::cell::RefCell;

use wasm_bindgen::prelude::wasm_bindgen;

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs the hook (idempotent); called when an engine is created.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        // `try_with`/`try_borrow_mut`: a panic while the cell is borrowed must not panic again inside the hook.
        let _ = LAST_PANIC.try_with(|cell| cell.try_borrow_mut().map(|mut slot| *slot = Some(message)));
    }));
}

/// The message of the last panic, once (the next call returns `undefined`).
#[wasm_bindgen(js_name = takeLastPanic)]
pub fn take_last_panic() -> Option<String> {
    LAST_PANIC.with(|cell| cell.borrow_mut().take())
}

/// Deliberately panics with `message`: a diagnostic that lets the facade's tests prove a panic surfaces with
/// its message and the engine is re-created. Never called by the package itself.
#[wasm_bindgen(js_name = debugPanic)]
pub fn debug_panic(message: String) {
    install();
    panic!("{message}");
}
