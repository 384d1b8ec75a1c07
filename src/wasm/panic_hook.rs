//! Panics: a panic is a bug, and it must surface with its message. The hook hands the message to the facade's
//! reporter before the instance traps; the facade then rejects the call and re-creates the engine on a fresh
//! module instance.

use std::cell::RefCell;

use js_sys::Function;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

thread_local! {
    static REPORTER: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Installs the hook (idempotent); called when an engine is created.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let message = JsValue::from_str(&info.to_string());
        // `try_with`/`try_borrow`: the hook must never panic itself.
        let _ = REPORTER.try_with(|cell| {
            if let Ok(reporter) = cell.try_borrow() {
                if let Some(reporter) = reporter.as_ref() {
                    let _ = reporter.call1(&JsValue::UNDEFINED, &message);
                }
            }
        });
    }));
}

/// Registers the function that receives the message of a panic, just before the instance traps.
#[wasm_bindgen(js_name = setPanicReporter)]
pub fn set_panic_reporter(reporter: Function) {
    install();
    REPORTER.with(|cell| *cell.borrow_mut() = Some(reporter));
}
