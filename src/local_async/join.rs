//! Running several futures of one task at once (the drain's workers, a batch's items) without an async
//! runtime: a poll-all combinator that works under any waker, the wasm task's or a test's.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A boxed future borrowing from the engine.
pub type LocalFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// Resolves when every future has; outputs in the input order.
pub fn join_all<T>(futures: Vec<LocalFuture<'_, T>>) -> JoinAll<'_, T> {
    let slots = futures.into_iter().map(Slot::Pending).collect();
    JoinAll { slots }
}

enum Slot<'a, T> {
    Pending(LocalFuture<'a, T>),
    Ready(Option<T>),
}

/// The future returned by [`join_all`].
pub struct JoinAll<'a, T> {
    slots: Vec<Slot<'a, T>>,
}

// The futures are boxed and pinned on their own, and outputs are never pinned: moving a `JoinAll` is fine.
impl<T> Unpin for JoinAll<'_, T> {}

impl<T> Future for JoinAll<'_, T> {
    type Output = Vec<T>;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Vec<T>> {
        let this = self.get_mut();
        let mut all_ready = true;
        for slot in this.slots.iter_mut() {
            if let Slot::Pending(future) = slot {
                match future.as_mut().poll(context) {
                    Poll::Ready(output) => *slot = Slot::Ready(Some(output)),
                    Poll::Pending => all_ready = false,
                }
            }
        }
        if !all_ready {
            return Poll::Pending;
        }
        let outputs = this
            .slots
            .iter_mut()
            .filter_map(|slot| match slot {
                Slot::Ready(output) => output.take(),
                Slot::Pending(_) => None,
            })
            .collect();
        Poll::Ready(outputs)
    }
}

/// Which of two raced futures finished first.
pub enum Either<A, B> {
    /// The first.
    Left(A),
    /// The second.
    Right(B),
}

/// Resolves with whichever future finishes first; the other is dropped (cancelled at its current `.await`), or,
/// when it is borrowed (`future.as_mut()`), left for the caller to await further.
pub async fn race<L, R>(left: L, right: R) -> Either<L::Output, R::Output>
where
    L: Future + Unpin,
    R: Future + Unpin,
{
    Race { left, right }.await
}

struct Race<L, R> {
    left: L,
    right: R,
}

impl<L: Future + Unpin, R: Future + Unpin> Future for Race<L, R> {
    type Output = Either<L::Output, R::Output>;

    fn poll(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        if let Poll::Ready(value) = Pin::new(&mut self.left).poll(context) {
            return Poll::Ready(Either::Left(value));
        }
        Pin::new(&mut self.right).poll(context).map(Either::Right)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::test_host::block_on;
    use std::cell::Cell;

    /// Pending once, then ready: proves every future is polled again after a wake.
    struct YieldOnce<'a> {
        yielded: bool,
        log: &'a Cell<u32>,
        value: u32,
    }

    impl Future for YieldOnce<'_> {
        type Output = u32;
        fn poll(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<u32> {
            if self.yielded {
                self.log.set(self.log.get() + 1);
                Poll::Ready(self.value)
            } else {
                self.yielded = true;
                context.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }

    #[test]
    fn a_race_is_won_by_the_first_to_finish() {
        let log = Cell::new(0);
        let slow: LocalFuture<'_, u32> = Box::pin(async {
            YieldOnce { yielded: false, log: &log, value: 1 }.await
                + YieldOnce { yielded: false, log: &log, value: 1 }.await
        });
        let fast: LocalFuture<'_, u32> = Box::pin(YieldOnce { yielded: false, log: &log, value: 7 });
        assert!(matches!(block_on(race(slow, fast)), Either::Right(7)));
        let ready: LocalFuture<'_, u32> = Box::pin(async { 3 });
        let never: LocalFuture<'_, u32> = Box::pin(std::future::pending());
        assert!(matches!(block_on(race(ready, never)), Either::Left(3)));
    }

    #[test]
    fn resolves_every_future_in_input_order() {
        let log = Cell::new(0);
        let futures: Vec<LocalFuture<'_, u32>> = (1..=4)
            .map(|value| Box::pin(YieldOnce { yielded: false, log: &log, value }) as LocalFuture<'_, u32>)
            .collect();
        assert_eq!(block_on(join_all(futures)), vec![1, 2, 3, 4]);
        assert_eq!(log.get(), 4);
        assert_eq!(block_on(join_all(Vec::<LocalFuture<'_, u32>>::new())), Vec::<u32>::new());
    }
}
