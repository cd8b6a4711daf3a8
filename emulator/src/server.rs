//! The accept loop. It runs hyper directly (rather than `axum::serve`) so that a connection-reset
//! fault can drop the socket without an answer, and so shutdown can be graceful but bounded.

use crate::api::ResetConnection;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tower::ServiceExt;

/// How long open connections get to finish when the emulator stops.
const DRAIN: Duration = Duration::from_secs(3);

#[derive(Debug)]
struct Reset;

impl fmt::Display for Reset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection reset by fault injection")
    }
}

impl std::error::Error for Reset {}

pub(crate) async fn serve(listener: TcpListener, router: Router, mut stop: oneshot::Receiver<()>) {
    let graceful = GracefulShutdown::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => connection(stream, router.clone(), &graceful),
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = &mut stop => break,
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => tracing::debug!("all connections closed"),
        () = tokio::time::sleep(DRAIN) => tracing::debug!("stopped with connections still open"),
    }
}

/// Splits off a duplicate of the socket so that, after hyper has dropped its end, the emulator can
/// still set SO_LINGER to zero and make the close a TCP reset.
fn with_spare(stream: TcpStream) -> (Option<TcpStream>, Option<std::net::TcpStream>) {
    let Ok(std_stream) = stream.into_std() else {
        return (None, None);
    };
    let spare = std_stream.try_clone().ok();
    match TcpStream::from_std(std_stream) {
        Ok(stream) => (Some(stream), spare),
        Err(error) => {
            tracing::warn!(%error, "could not register an accepted connection");
            (None, None)
        }
    }
}

fn connection(stream: TcpStream, router: Router, graceful: &GracefulShutdown) {
    let (Some(stream), spare) = with_spare(stream) else {
        return;
    };
    let reset = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&reset);
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let router = router.clone();
        let flag = Arc::clone(&flag);
        async move {
            let response = match router.oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            if response.extensions().get::<ResetConnection>().is_some() {
                flag.store(true, Ordering::SeqCst);
                return Err(Reset);
            }
            Ok(response)
        }
    });
    let conn = graceful.watch(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
    tokio::spawn(async move {
        if let Err(error) = conn.await {
            tracing::debug!(%error, "connection ended");
        }
        if reset.load(Ordering::SeqCst)
            && let Some(spare) = spare
            && let Ok(spare) = TcpStream::from_std(spare)
            && let Err(error) = spare.set_zero_linger()
        {
            tracing::debug!(%error, "could not turn the close into a reset");
        }
    });
}
