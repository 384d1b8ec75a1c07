//! A lock for async code on one thread: operations that read, change and write shared state in Pipedrive (adding
//! a label option rewrites the whole option list) take turns, so two concurrent callers never clobber each other.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// The lock. Waiters get it in arrival order: a release hands it to the first waiter directly. A waiter whose
/// future is dropped (a caller cut off while waiting) leaves the queue, and one dropped after the lock was handed
/// to it passes the lock on, so a cancelled waiter never strands the next one.
#[derive(Default)]
pub struct AsyncLock {
    locked: Cell<bool>,
    next_ticket: Cell<u64>,
    waiters: RefCell<VecDeque<(u64, Waker)>>,
    /// The waiter the lock was handed to, until it polls and takes it.
    handed_to: Cell<Option<u64>>,
}

/// Held while the lock is taken; dropping it lets the next waiter in.
pub struct AsyncLockGuard<'a> {
    lock: &'a AsyncLock,
}

impl AsyncLock {
    /// Waits for the lock.
    pub fn lock(&self) -> LockFuture<'_> {
        LockFuture { lock: self, ticket: None, acquired: false }
    }

    /// Hands the lock to the first waiter, or unlocks it when nobody waits.
    fn release(&self) {
        let next = self.waiters.borrow_mut().pop_front();
        match next {
            Some((ticket, waker)) => {
                self.handed_to.set(Some(ticket));
                waker.wake();
            }
            None => self.locked.set(false),
        }
    }
}

/// The future returned by [`AsyncLock::lock`].
pub struct LockFuture<'a> {
    lock: &'a AsyncLock,
    /// Its place in the queue, once it had to wait.
    ticket: Option<u64>,
    acquired: bool,
}

impl<'a> Future for LockFuture<'a> {
    type Output = AsyncLockGuard<'a>;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<AsyncLockGuard<'a>> {
        let this = self.get_mut();
        let lock = this.lock;
        match this.ticket {
            Some(ticket) if lock.handed_to.get() == Some(ticket) => {
                lock.handed_to.set(None);
                this.acquired = true;
                Poll::Ready(AsyncLockGuard { lock })
            }
            Some(ticket) => {
                // Polled again while waiting: keep the newest waker.
                if let Some(entry) = lock.waiters.borrow_mut().iter_mut().find(|(t, _)| *t == ticket) {
                    entry.1 = context.waker().clone();
                }
                Poll::Pending
            }
            None if !lock.locked.get() => {
                lock.locked.set(true);
                this.acquired = true;
                Poll::Ready(AsyncLockGuard { lock })
            }
            None => {
                let ticket = lock.next_ticket.get();
                lock.next_ticket.set(ticket + 1);
                lock.waiters.borrow_mut().push_back((ticket, context.waker().clone()));
                this.ticket = Some(ticket);
                Poll::Pending
            }
        }
    }
}

impl Drop for LockFuture<'_> {
    fn drop(&mut self) {
        let Some(ticket) = self.ticket.filter(|_| !self.acquired) else { return };
        if self.lock.handed_to.get() == Some(ticket) {
            // Handed the lock but gone before taking it: pass it on.
            self.lock.handed_to.set(None);
            self.lock.release();
        } else {
            self.lock.waiters.borrow_mut().retain(|(t, _)| *t != ticket);
        }
    }
}

impl Drop for AsyncLockGuard<'_> {
    fn drop(&mut self) {
        self.lock.release();
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

    /// A waker that counts its wakes.
    struct Counter(std::sync::atomic::AtomicUsize);
    impl std::task::Wake for Counter {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    fn counting_waker() -> (std::sync::Arc<Counter>, Waker) {
        let counter = std::sync::Arc::new(Counter(std::sync::atomic::AtomicUsize::new(0)));
        (counter.clone(), Waker::from(counter))
    }

    #[test]
    fn a_cancelled_waiter_does_not_strand_the_next_one() {
        let lock = AsyncLock::default();
        let held = block_on(lock.lock());
        let (cancelled_wakes, cancelled_waker) = counting_waker();
        let (next_wakes, next_waker) = counting_waker();
        let mut cancelled = Box::pin(lock.lock());
        let mut next = Box::pin(lock.lock());
        assert!(cancelled.as_mut().poll(&mut Context::from_waker(&cancelled_waker)).is_pending());
        assert!(next.as_mut().poll(&mut Context::from_waker(&next_waker)).is_pending());
        drop(cancelled); // a real-time call cut off while it waited
        drop(held);
        assert_eq!(next_wakes.0.load(std::sync::atomic::Ordering::SeqCst), 1, "the live waiter is woken");
        assert_eq!(cancelled_wakes.0.load(std::sync::atomic::Ordering::SeqCst), 0);
        let guard = next.as_mut().poll(&mut Context::from_waker(&next_waker));
        assert!(guard.is_ready());
    }

    #[test]
    fn a_waiter_dropped_after_the_hand_over_passes_the_lock_on() {
        let lock = AsyncLock::default();
        let held = block_on(lock.lock());
        let (_, first_waker) = counting_waker();
        let (second_wakes, second_waker) = counting_waker();
        let mut first = Box::pin(lock.lock());
        let mut second = Box::pin(lock.lock());
        assert!(first.as_mut().poll(&mut Context::from_waker(&first_waker)).is_pending());
        assert!(second.as_mut().poll(&mut Context::from_waker(&second_waker)).is_pending());
        drop(held); // handed to `first`, which is then dropped before it polls
        drop(first);
        assert_eq!(second_wakes.0.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(second.as_mut().poll(&mut Context::from_waker(&second_waker)).is_ready());
        // A newcomer waits its turn behind nobody once the lock is free again.
        drop(second);
        assert!(block_on(async {
            lock.lock().await;
            true
        }));
    }
}
