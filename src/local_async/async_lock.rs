//! A lock for async code on one thread: operations that read, change and write shared state in Pipedrive (adding
//! a label option rewrites the whole option list) take turns, so two concurrent callers never clobber each other.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// The lock. Waiters are woken in arrival order.
#[derive(Default)]
pub struct AsyncLock {
    locked: Cell<bool>,
    waiters: RefCell<VecDeque<Waker>>,
}

/// Held while the lock is taken; dropping it lets the next waiter in.
pub struct AsyncLockGuard<'a> {
    lock: &'a AsyncLock,
}

impl AsyncLock {
    /// Waits for the lock.
    pub fn lock(&self) -> LockFuture<'_> {
        LockFuture { lock: self }
    }
}

/// The future returned by [`AsyncLock::lock`].
pub struct LockFuture<'a> {
    lock: &'a AsyncLock,
}

impl<'a> Future for LockFuture<'a> {
    type Output = AsyncLockGuard<'a>;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<AsyncLockGuard<'a>> {
        if self.lock.locked.replace(true) {
            self.lock.waiters.borrow_mut().push_back(context.waker().clone());
            Poll::Pending
        } else {
            Poll::Ready(AsyncLockGuard { lock: self.lock })
        }
    }
}

impl Drop for AsyncLockGuard<'_> {
    fn drop(&mut self) {
        self.lock.locked.set(false);
        let next = self.lock.waiters.borrow_mut().pop_front();
        if let Some(waker) = next {
            waker.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::test_host::block_on;
    use crate::local_async::join::{join_all, LocalFuture};

    /// Yields to the executor once, so that other futures run in between.
    struct YieldNow(bool);
    impl Future for YieldNow {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<()> {
            if self.0 {
                Poll::Ready(())
            } else {
                self.0 = true;
                context.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }

    #[test]
    fn critical_sections_never_overlap() {
        let lock = AsyncLock::default();
        let inside = Cell::new(0);
        let max_inside = Cell::new(0);
        let order = RefCell::new(Vec::new());
        let (lock, inside, max_inside, order) = (&lock, &inside, &max_inside, &order);
        let futures: Vec<LocalFuture<'_, ()>> = (0..5)
            .map(|id: u32| {
                Box::pin(async move {
                    let _guard = lock.lock().await;
                    inside.set(inside.get() + 1);
                    max_inside.set(max_inside.get().max(inside.get()));
                    YieldNow(false).await;
                    order.borrow_mut().push(id);
                    inside.set(inside.get() - 1);
                }) as LocalFuture<'_, ()>
            })
            .collect();
        block_on(join_all(futures));
        assert_eq!(max_inside.get(), 1);
        assert_eq!(*order.borrow(), vec![0, 1, 2, 3, 4]);
    }
}
