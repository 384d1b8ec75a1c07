//! A minimal executor driven from JavaScript: each engine operation is a [`Task`] that JS polls inside its own
//! `try/catch`.
//!
//! Why not `future_to_promise`: its executor polls futures from a bare `queueMicrotask` callback, so a panic
//! (a WebAssembly trap) inside a flow would surface as an uncaught exception and take the whole Node process
//! down. Polled from the facade instead, a trap becomes a rejected call and the engine is re-created.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

type BoxedFuture = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

thread_local! {
    /// The `wake` callback of each pending task, by task id; taken when the task is woken.
    static WAKE_CALLBACKS: RefCell<HashMap<u32, Function>> = RefCell::new(HashMap::new());
    static NEXT_TASK_ID: Cell<u32> = const { Cell::new(1) };
}

/// One engine operation in progress. Drive it with `poll(wake)` until it answers.
#[wasm_bindgen]
pub struct Task {
    id: u32,
    future: RefCell<Option<BoxedFuture>>,
}

impl Task {
    /// Wraps a future as a task.
    pub fn new(future: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Task {
        let id = NEXT_TASK_ID.with(|next| next.replace(next.get().wrapping_add(1)));
        Task { id, future: RefCell::new(Some(Box::pin(future))) }
    }
}

/// Wakes a task by calling its JS `wake` callback (at most once per poll).
struct TaskWaker(u32);

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        let callback = WAKE_CALLBACKS.with(|callbacks| callbacks.borrow_mut().remove(&self.0));
        if let Some(callback) = callback {
            // The facade's wake only queues a microtask; it cannot throw in a way the engine could act on.
            let _ = callback.call0(&JsValue::UNDEFINED);
        }
    }
}

#[wasm_bindgen]
impl Task {
    /// Makes as much progress as possible. Returns `undefined` while the operation waits (then `wake` will be
    /// called once when it can go on), or `{ok: true, value}` / `{ok: false, error}` when it is finished.
    pub fn poll(&self, wake: Function) -> JsValue {
        let Ok(mut slot) = self.future.try_borrow_mut() else {
            return finished(Err(JsValue::from_str("INTERNAL: a task was polled while it was already being polled")));
        };
        let Some(future) = slot.as_mut() else {
            return finished(Err(JsValue::from_str("INTERNAL: a task was polled after it finished")));
        };
        WAKE_CALLBACKS.with(|callbacks| callbacks.borrow_mut().insert(self.id, wake));
        let waker = Waker::from(Arc::new(TaskWaker(self.id)));
        match future.as_mut().poll(&mut Context::from_waker(&waker)) {
            Poll::Pending => JsValue::UNDEFINED,
            Poll::Ready(result) => {
                *slot = None;
                WAKE_CALLBACKS.with(|callbacks| callbacks.borrow_mut().remove(&self.id));
                finished(result)
            }
        }
    }
}

impl Drop for Task {
    fn drop(&mut self) {
        WAKE_CALLBACKS.with(|callbacks| callbacks.borrow_mut().remove(&self.id));
    }
}

fn finished(result: Result<JsValue, JsValue>) -> JsValue {
    let object = Object::new();
    let (ok, payload, key) = match result {
        Ok(value) => (true, value, "value"),
        Err(error) => (false, error, "error"),
    };
    // Setting properties on a fresh plain object cannot fail.
    let _ = Reflect::set(&object, &"ok".into(), &ok.into());
    let _ = Reflect::set(&object, &key.into(), &payload);
    object.into()
}
