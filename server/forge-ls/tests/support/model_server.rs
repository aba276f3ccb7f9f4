//! A model endpoint for tests: a real HTTP/1.1 server on 127.0.0.1 (hyper) that records each
//! request and answers with a scripted reply in the provider's wire format. It runs on its own
//! thread and runtime, so synchronous tests (driving `forge-ls` over stdio) and async ones can
//! both use it. No test needs the internet.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::HeaderMap;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::sync::oneshot;

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// The query string without `?` (empty when there is none).
    pub query: String,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    /// A non-JSON body (a proxy's error page, say).
    pub fn text(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type", "text/plain".into())],
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    pub fn with_header(mut self, name: &'static str, value: &str) -> Reply {
        self.headers.push((name, value.to_owned()));
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

/// The reply to the n-th request (0-based), which may depend on the request body.
type Script = Arc<dyn Fn(usize, &Value) -> Reply + Send + Sync>;

pub struct TestServer {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
    /// Connections whose client went away, seen when hyper finishes serving them.
    pub closed: Arc<AtomicUsize>,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl TestServer {
    /// Serves `script(n)` for the n-th request (0-based).
    pub async fn start(script: impl Fn(usize) -> Reply + Send + Sync + 'static) -> TestServer {
        TestServer::spawn(script)
    }

    /// [`TestServer::start`] for synchronous tests.
    pub fn spawn(script: impl Fn(usize) -> Reply + Send + Sync + 'static) -> TestServer {
        TestServer::spawn_reading(move |n, _| script(n))
    }

    /// A server whose reply is computed from the request body too (a token counter, say).
    #[allow(dead_code)]
    pub fn spawn_reading(
        script: impl Fn(usize, &Value) -> Reply + Send + Sync + 'static,
    ) -> TestServer {
        TestServer::serve(Arc::new(script), false)
    }

    /// A server whose script answers the server's model listing (`GET …/models`) too. The other
    /// servers answer it 404 without counting it, as a provider without the endpoint would, so
    /// the listing the server starts in the background never takes a scripted reply.
    #[allow(dead_code)]
    pub fn spawn_listing(script: impl Fn(usize) -> Reply + Send + Sync + 'static) -> TestServer {
        TestServer::serve(Arc::new(move |n, _: &Value| script(n)), true)
    }

    fn serve(script: Script, listing: bool) -> TestServer {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        std_listener.set_nonblocking(true).expect("nonblocking");
        let addr = std_listener.local_addr().expect("addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let closed = Arc::new(AtomicUsize::new(0));
        let (stop_tx, stop_rx) = oneshot::channel();
        let (recorded, closed_count) = (requests.clone(), closed.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(std_listener).expect("listener");
                let serve = async move {
                    loop {
                        let Ok((stream, _)) = listener.accept().await else {
                            return;
                        };
                        let (recorded, script, closed_count) =
                            (recorded.clone(), script.clone(), closed_count.clone());
                        tokio::spawn(async move {
                            let service = service_fn(move |req: Request<Incoming>| {
                                let (recorded, script) = (recorded.clone(), script.clone());
                                async move {
                                    Ok::<_, Infallible>(
                                        answer(req, &recorded, &script, listing).await,
                                    )
                                }
                            });
                            let _ = http1::Builder::new()
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                            closed_count.fetch_add(1, Ordering::SeqCst);
                        });
                    }
                };
                tokio::select! {
                    _ = serve => {}
                    _ = stop_rx => {}
                }
            });
        });
        TestServer {
            addr,
            requests,
            closed,
            stop: Some(stop_tx),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().expect("lock").clone()
    }
}

async fn answer(
    req: Request<Incoming>,
    recorded: &Mutex<Vec<Recorded>>,
    script: &Script,
    listing: bool,
) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    if !listing && parts.method == hyper::Method::GET && parts.uri.path().ends_with("/models") {
        return Response::builder()
            .status(404)
            .body(Full::new(Bytes::from_static(b"{\"error\": \"not found\"}")))
            .expect("response");
    }
    let bytes = body.collect().await.map(|b| b.to_bytes());
    let bytes = bytes.unwrap_or_default();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let n = {
        let mut log = recorded.lock().expect("lock");
        log.push(Recorded {
            method: parts.method.to_string(),
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().unwrap_or_default().to_owned(),
            headers: parts.headers,
            body: body.clone(),
        });
        log.len() - 1
    };
    let reply = script(n, &body);
    tokio::time::sleep(reply.delay).await;
    let mut resp = Response::builder().status(reply.status);
    for (name, value) in &reply.headers {
        resp = resp.header(*name, value);
    }
    resp.body(Full::new(Bytes::from(reply.body)))
        .expect("response")
}

/// An Anthropic Messages response whose forced tool call carries `input`.
pub fn anthropic_reply(tool: &str, input: Value) -> Value {
    json!({
        "id": "msg_01",
        "type": "message",
        "role": "assistant",
        "model": "test-model",
        "content": [
            {"type": "text", "text": "Here is my turn."},
            {"type": "tool_use", "id": "toolu_01", "name": tool, "input": input}
        ],
        "stop_reason": "tool_use",
        "stop_sequence": null,
        "usage": {"input_tokens": 10, "output_tokens": 20}
    })
}

/// An OpenAI Chat Completions response with `content` as the message text.
pub fn openai_reply(content: &str) -> Value {
    json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "test-model",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content, "refusal": null},
            "finish_reason": "stop"
        }],
        "usage": {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30}
    })
}
