//! When to stop serving, whatever is still pending.
//!
//! `Server::serve` returns only once every in-flight handler has finished. A
//! handler waiting for the client (the `workspace/configuration` pull after
//! `initialized`, say) never finishes once the client has sent `exit` or closed
//! our stdin, because nobody reads its answer any more; the process would then
//! outlive its editor. These two wrappers raise a token instead, and
//! `run_stdio` stops on it.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, ReadBuf};
use tokio_util::sync::CancellationToken;
use tower::Service;
use tower_lsp_server::jsonrpc::Request;

/// Cancels `token` once the `exit` notification has been handed on.
pub struct ExitWatch<S> {
    pub inner: S,
    pub token: CancellationToken,
}

impl<S: Service<Request>> Service<Request> for ExitWatch<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let exit = req.method() == "exit";
        let fut = self.inner.call(req);
        if exit {
            self.token.cancel();
        }
        fut
    }
}

/// Cancels `token` when the reader reaches end of file or fails.
pub struct EofWatch<R> {
    pub inner: R,
    pub token: CancellationToken,
}

impl<R: AsyncRead + Unpin> AsyncRead for EofWatch<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let wanted = buf.remaining() > 0;
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(result) = &polled {
            if result.is_err() || (wanted && buf.filled().len() == before) {
                self.token.cancel();
            }
        }
        polled
    }
}
