//! The wire in front of `tower-lsp-server`.
//!
//! tower-lsp-server's own codec ends its input stream at the first message it
//! cannot decode (tokio-util's `FramedRead` yields nothing more after a
//! decoder error), so one malformed body made the server deaf while it still
//! looked alive. And when the client stops reading our output, its write side
//! back-pressures until it stops reading input too. So stdin and stdout are
//! handled here, and tower-lsp-server speaks to in-memory pipes:
//!
//! - **input**: every frame is read with bounded memory (headers capped, bodies
//!   over [`MAX_MESSAGE_BYTES`] skipped as they stream), checked against the
//!   exact JSON-RPC types tower-lsp-server decodes, and either passed through or
//!   answered here: `-32700` for bytes that are not JSON, `-32600` for JSON that
//!   is not a JSON-RPC message. Garbage between frames is skipped up to the next
//!   `Content-Length` header.
//! - **output**: everything tower-lsp-server writes is drained at once into a
//!   queue, in which a newer `publishDiagnostics` for a document replaces the
//!   queued older one, so a client that does not read costs one entry per
//!   document rather than one per keystroke, and the server keeps reading.
//!   Past [`MAX_BACKLOG_BYTES`] waiting, requests are answered here with an error
//!   instead of being computed, and server notifications other than diagnostics
//!   are dropped; past that plus [`REFUSALS_BYTES`], requests get no answer at
//!   all: memory stays bounded however long the client does not read.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::sync::{Arc, Mutex};

use serde::Deserialize;
use serde_json::Value;
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt,
};
use tokio::sync::Notify;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Id, Request, Response};

/// The largest message accepted: four times the largest file forge-ls reads
/// (JSON escaping can grow a text), so any real `didOpen` fits.
pub const MAX_MESSAGE_BYTES: usize = 4 * forge_syntax::files::MAX_FILE_BYTES as usize;

/// Header lines longer than this are garbage; the rest of the line is skipped unbuffered.
const MAX_HEADER_LINE: usize = 4096;

/// Capacity of the in-memory pipes to and from tower-lsp-server.
const PIPE_BYTES: usize = 64 * 1024;

/// One unit read from the client.
#[derive(Debug, PartialEq)]
pub enum Frame {
    /// A complete body, as announced by its `Content-Length`.
    Body(Vec<u8>),
    /// A body of this many bytes, over the limit; it was read and dropped.
    TooLarge(usize),
    /// End of input.
    Eof,
}

/// What a header line says.
enum Line {
    Blank,
    Length(usize),
    /// Another header (`Content-Type`): ignored, the body is always UTF-8 JSON.
    Header,
    /// Not a header at all, or a `Content-Length` that is not a number.
    Garbage,
}

fn classify(line: &[u8]) -> Line {
    let trimmed = line.trim_ascii();
    if trimmed.is_empty() {
        return Line::Blank;
    }
    // A header may follow garbage on the same line (a body with a wrong length runs into it).
    const NAME: &[u8] = b"content-length:";
    let lower = trimmed.to_ascii_lowercase();
    if let Some(at) = memchr::memmem::find(&lower, NAME) {
        let value = trimmed[at + NAME.len()..].trim_ascii();
        return match std::str::from_utf8(value).ok().and_then(|v| v.parse().ok()) {
            Some(n) => Line::Length(n),
            None => Line::Garbage,
        };
    }
    let is_header = trimmed
        .iter()
        .position(|&b| b == b':')
        .is_some_and(|colon| {
            colon > 0
                && trimmed[..colon]
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        });
    if is_header {
        Line::Header
    } else {
        Line::Garbage
    }
}

/// Reads frames from the client with memory bounded by the limit plus one header line.
pub struct FrameReader<R> {
    inner: R,
    limit: usize,
    line: Vec<u8>,
}

impl<R: AsyncBufRead + Unpin> FrameReader<R> {
    pub fn new(inner: R, limit: usize) -> Self {
        FrameReader {
            inner,
            limit,
            line: Vec::new(),
        }
    }

    /// The next frame, and whether garbage was skipped before it.
    pub async fn next(&mut self) -> io::Result<(bool, Frame)> {
        let mut length = None;
        let mut garbage = false;
        loop {
            if !self.read_line().await? {
                return Ok((garbage, Frame::Eof));
            }
            match classify(&self.line) {
                Line::Blank => {
                    if let Some(n) = length {
                        return Ok((garbage, self.body(n).await?));
                    }
                    // Blank lines between frames are harmless.
                }
                Line::Length(n) => length = Some(n),
                Line::Header => {}
                // A header block with garbage in it cannot be trusted: resynchronise on the next header.
                Line::Garbage => {
                    garbage = true;
                    length = None;
                }
            }
        }
    }

    /// Read one line (through `\n`), keeping at most [`MAX_HEADER_LINE`] bytes of it.
    async fn read_line(&mut self) -> io::Result<bool> {
        self.line.clear();
        let mut read_any = false;
        loop {
            let buf = self.inner.fill_buf().await?;
            if buf.is_empty() {
                return Ok(read_any);
            }
            read_any = true;
            let (end, done) = match memchr::memchr(b'\n', buf) {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            };
            let room = MAX_HEADER_LINE.saturating_sub(self.line.len());
            self.line.extend_from_slice(&buf[..end.min(room)]);
            self.inner.consume(end);
            if done {
                return Ok(true);
            }
        }
    }

    async fn body(&mut self, n: usize) -> io::Result<Frame> {
        if n > self.limit {
            let mut rest = (&mut self.inner).take(n as u64);
            let skipped = tokio::io::copy(&mut rest, &mut tokio::io::sink()).await?;
            return Ok(if skipped < n as u64 {
                Frame::Eof
            } else {
                Frame::TooLarge(n)
            });
        }
        let mut body = vec![0; n];
        match self.inner.read_exact(&mut body).await {
            Ok(_) => Ok(Frame::Body(body)),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(Frame::Eof),
            Err(e) => Err(e),
        }
    }
}

/// Exactly what tower-lsp-server's codec decodes, so whatever passes here it accepts.
#[derive(Deserialize)]
#[serde(untagged)]
#[allow(dead_code)] // Only whether it decodes matters.
enum Incoming {
    Response(Response),
    Request(Request),
}

/// `None` when tower-lsp-server can take `body`; otherwise the error response to send instead.
pub fn check_message(body: &[u8]) -> Option<Response> {
    let err = serde_json::from_slice::<Incoming>(body).err()?;
    let (code, id, what) = match serde_json::from_slice::<Value>(body) {
        Err(e) => (ErrorCode::ParseError, Id::Null, format!("not JSON: {e}")),
        Ok(v) => {
            let id = match v.get("id") {
                Some(Value::Number(n)) => n.as_i64().map_or(Id::Null, Id::Number),
                Some(Value::String(s)) => Id::String(s.clone()),
                _ => Id::Null,
            };
            let what = if v.is_object() {
                format!("not a JSON-RPC 2.0 message: {err}")
            } else {
                "not a JSON-RPC 2.0 message: expected an object".to_string()
            };
            (ErrorCode::InvalidRequest, id, what)
        }
    };
    Some(error_response(code, id, what))
}

fn error_response(code: ErrorCode, id: Id, message: String) -> Response {
    Response::from_error(
        id,
        Error {
            code,
            message: message.into(),
            data: None,
        },
    )
}

fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// How much output may wait for a client that does not read before requests are refused.
pub const MAX_BACKLOG_BYTES: usize = 32 * 1024 * 1024;
/// Room for the refusals themselves; beyond it a request is dropped unanswered (logged).
pub const REFUSALS_BYTES: usize = 1024 * 1024;

/// One message waiting to be written to the client.
struct Outgoing {
    /// Its place in the order of pushes.
    seq: u64,
    bytes: Vec<u8>,
    /// The document of a `publishDiagnostics`: a newer one for it replaces this one.
    supersedes: Option<String>,
}

/// The messages waiting, oldest first.
#[derive(Default)]
struct Queue {
    waiting: VecDeque<Outgoing>,
    /// The `seq` of the waiting `publishDiagnostics` of each document: replacing it
    /// must not scan the queue, which holds thousands while a workspace is indexed.
    published: HashMap<String, u64>,
    next_seq: u64,
    closed: bool,
    /// The bytes of `waiting`.
    bytes: usize,
}

/// Messages for the client, in order, written by one task as fast as the client reads.
#[derive(Default)]
struct Outbox {
    queue: Mutex<Queue>,
    ready: Notify,
}

impl Outbox {
    fn push(&self, body: &[u8]) {
        let supersedes = publish_uri(body);
        let Ok(mut q) = self.queue.lock() else {
            return;
        };
        let mut bytes = framed(body);
        if supersedes.is_none() && q.bytes > MAX_BACKLOG_BYTES {
            // A client that does not read: a response is replaced by a short error, and once
            // those fill their room too, or for anything else, nothing more is kept.
            match response_id(body) {
                Some(id) if q.bytes <= MAX_BACKLOG_BYTES + REFUSALS_BYTES => {
                    let refusal = error_response(
                        ErrorCode::ServerError(-32803),
                        id,
                        format!(
                            "not sent: {} MB of output wait for the client to read them",
                            q.bytes / (1024 * 1024)
                        ),
                    );
                    match serde_json::to_vec(&refusal) {
                        Ok(b) => bytes = framed(&b),
                        Err(_) => return,
                    }
                }
                Some(id) => {
                    tracing::warn!(
                        "dropped the answer to {id}: {} bytes wait for the client",
                        q.bytes
                    );
                    return;
                }
                None => return,
            }
        }
        let seq = q.next_seq;
        q.next_seq += 1;
        if let Some(uri) = &supersedes {
            if let Some(old) = q.published.insert(uri.clone(), seq) {
                // `seq`s ascend along the queue.
                if let Ok(at) = q.waiting.binary_search_by_key(&old, |o| o.seq) {
                    if let Some(o) = q.waiting.remove(at) {
                        q.bytes -= o.bytes.len();
                    }
                }
            }
        }
        q.bytes += bytes.len();
        q.waiting.push_back(Outgoing {
            seq,
            bytes,
            supersedes,
        });
        drop(q);
        self.ready.notify_one();
    }

    fn push_response(&self, response: &Response) {
        if let Ok(body) = serde_json::to_vec(response) {
            self.push(&body);
        }
    }

    fn close(&self) {
        if let Ok(mut q) = self.queue.lock() {
            q.closed = true;
        }
        self.ready.notify_one();
    }

    /// The bytes waiting for the client.
    fn backlog(&self) -> usize {
        self.queue.lock().map(|q| q.bytes).unwrap_or_default()
    }

    /// How many messages wait for the client.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.queue
            .lock()
            .map(|q| q.waiting.len())
            .unwrap_or_default()
    }

    /// The next message, or `None` once closed and drained.
    async fn pop(&self) -> Option<Vec<u8>> {
        loop {
            {
                let mut q = self.queue.lock().ok()?;
                if let Some(o) = q.waiting.pop_front() {
                    if let Some(uri) = &o.supersedes {
                        q.published.remove(uri);
                    }
                    q.bytes -= o.bytes.len();
                    return Some(o.bytes);
                }
                if q.closed {
                    return None;
                }
            }
            self.ready.notified().await;
        }
    }
}

/// The id of a response the server writes (`None` for a notification or a request).
fn response_id(body: &[u8]) -> Option<Id> {
    #[derive(Deserialize)]
    struct Head {
        id: Option<Id>,
        method: Option<serde::de::IgnoredAny>,
    }
    let h: Head = serde_json::from_slice(body).ok()?;
    h.method.is_none().then_some(h.id).flatten()
}

/// The id of a request the client sent (not for `shutdown`, which is always let through).
fn refusable_request(body: &[u8]) -> Option<Id> {
    #[derive(Deserialize)]
    struct Head {
        id: Option<Id>,
        method: Option<String>,
    }
    let h: Head = serde_json::from_slice(body).ok()?;
    match (h.id, h.method.as_deref()) {
        (Some(id), Some(m)) if m != "shutdown" && m != "initialize" => Some(id),
        _ => None,
    }
}

/// The document a `publishDiagnostics` body is about.
fn publish_uri(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Note {
        method: Option<String>,
        params: Option<Params>,
    }
    #[derive(Deserialize)]
    struct Params {
        uri: String,
    }
    // tower-lsp-server writes a notification's `method` right after `jsonrpc`:
    // look there before parsing, so large responses are not parsed again.
    const METHOD: &[u8] = b"\"textDocument/publishDiagnostics\"";
    let head = &body[..body.len().min(128)];
    if !head.windows(METHOD.len()).any(|w| w == METHOD) {
        return None;
    }
    let note: Note = serde_json::from_slice(body).ok()?;
    (note.method.as_deref() == Some("textDocument/publishDiagnostics")).then_some(note.params?.uri)
}

/// Pump the client's input into `to_server`: valid messages pass, the rest are answered
/// through `outbox`. Returns at end of input (dropping `to_server`, which ends the server's input).
async fn pump_input<R, W>(input: R, mut to_server: W, outbox: Arc<Outbox>, limit: usize)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut reader = FrameReader::new(tokio::io::BufReader::new(input), limit);
    loop {
        let (garbage, frame) = match reader.next().await {
            Ok(f) => f,
            Err(e) => {
                tracing::warn!("reading the client's input failed: {e}");
                return;
            }
        };
        if garbage {
            tracing::warn!("skipped bytes that were not a message header");
            outbox.push_response(&error_response(
                ErrorCode::ParseError,
                Id::Null,
                "skipped bytes that were not a `Content-Length` framed message".to_string(),
            ));
        }
        match frame {
            Frame::Eof => return,
            Frame::TooLarge(n) => {
                tracing::warn!("dropped a message of {n} bytes (limit {limit})");
                outbox.push_response(&error_response(
                    ErrorCode::InvalidRequest,
                    Id::Null,
                    format!("message of {n} bytes dropped: the limit is {limit} bytes"),
                ));
            }
            Frame::Body(body) => match check_message(&body) {
                Some(refusal) => {
                    tracing::warn!("refused a malformed message: {:?}", refusal.error());
                    outbox.push_response(&refusal);
                }
                None => {
                    let backlog = outbox.backlog();
                    if backlog > MAX_BACKLOG_BYTES {
                        if let Some(id) = refusable_request(&body) {
                            if backlog > MAX_BACKLOG_BYTES + REFUSALS_BYTES {
                                tracing::warn!("dropped request {id} unanswered: {backlog} bytes wait for the client");
                            } else {
                                outbox.push_response(&error_response(
                                    ErrorCode::ServerError(-32803),
                                    id,
                                    format!("not computed: {} MB of output wait for the client to read them", backlog / (1024 * 1024)),
                                ));
                            }
                            continue;
                        }
                    }
                    if to_server.write_all(&framed(&body)).await.is_err() {
                        // The server stopped reading (after `exit`): nothing more to do.
                        return;
                    }
                }
            },
        }
    }
}

/// Drain everything the server writes into `outbox`, so it never waits on the client.
async fn pump_output<R: AsyncRead + Unpin>(from_server: R, outbox: Arc<Outbox>) {
    let mut reader = FrameReader::new(tokio::io::BufReader::new(from_server), usize::MAX);
    while let Ok((_, Frame::Body(body))) = reader.next().await {
        outbox.push(&body);
    }
    outbox.close();
}

/// Write `outbox` to the client in order, at the client's pace.
async fn write_output<W: AsyncWrite + Unpin>(mut output: W, outbox: Arc<Outbox>) {
    while let Some(bytes) = outbox.pop().await {
        if output.write_all(&bytes).await.is_err() || output.flush().await.is_err() {
            return;
        }
    }
}

/// The pipes tower-lsp-server reads from and writes to, with the pumps between
/// them and the real `input`/`output` spawned on the current runtime.
pub fn spawn<R, W>(input: R, output: W) -> (tokio::io::DuplexStream, tokio::io::DuplexStream)
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (server_in, to_server) = tokio::io::duplex(PIPE_BYTES);
    let (server_out, from_server) = tokio::io::duplex(PIPE_BYTES);
    let outbox = Arc::new(Outbox::default());
    tokio::spawn(pump_input(
        input,
        to_server,
        outbox.clone(),
        MAX_MESSAGE_BYTES,
    ));
    tokio::spawn(pump_output(from_server, outbox.clone()));
    tokio::spawn(write_output(output, outbox));
    (server_in, server_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn frames(input: &[u8], limit: usize) -> Vec<(bool, Frame)> {
        let mut r = FrameReader::new(input, limit);
        let mut out = Vec::new();
        loop {
            let f = r.next().await.unwrap();
            let end = f.1 == Frame::Eof;
            out.push(f);
            if end {
                return out;
            }
        }
    }

    fn body(s: &str) -> Frame {
        Frame::Body(s.as_bytes().to_vec())
    }

    #[tokio::test]
    async fn frames_are_read_in_order_with_any_header_case_and_extra_headers() {
        let input = b"Content-Length: 2\r\n\r\n{}content-length:3\r\nContent-Type: application/vscode-jsonrpc; charset=latin1\r\n\r\n[1]";
        assert_eq!(
            frames(input, 100).await,
            vec![
                (false, body("{}")),
                (false, body("[1]")),
                (false, Frame::Eof)
            ]
        );
    }

    #[tokio::test]
    async fn garbage_is_skipped_up_to_the_next_header() {
        let input = b"hello world\r\n{\"x\":1}Content-Length: 2\r\n\r\n{}Content-Length: x\r\n\r\nContent-Length: 1\r\n\r\n1";
        assert_eq!(
            frames(input, 100).await,
            vec![(true, body("{}")), (true, body("1")), (false, Frame::Eof)]
        );
    }

    #[tokio::test]
    async fn an_oversized_body_is_skipped_and_the_next_frame_read() {
        let mut input = b"Content-Length: 1000\r\n\r\n".to_vec();
        input.extend(std::iter::repeat_n(b'a', 1000));
        input.extend_from_slice(b"Content-Length: 2\r\n\r\n{}");
        assert_eq!(
            frames(&input, 100).await,
            vec![
                (false, Frame::TooLarge(1000)),
                (false, body("{}")),
                (false, Frame::Eof)
            ]
        );
    }

    #[tokio::test]
    async fn a_truncated_body_or_endless_header_line_ends_cleanly() {
        assert_eq!(
            frames(b"Content-Length: 10\r\n\r\n{}", 100).await,
            vec![(false, Frame::Eof)]
        );
        let endless = vec![b'x'; 3 * MAX_HEADER_LINE];
        assert_eq!(frames(&endless, 100).await, vec![(true, Frame::Eof)]);
    }

    #[test]
    fn messages_are_checked_as_tower_lsp_decodes_them() {
        let ok = [
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#,
            r#"{"jsonrpc":"2.0","method":"x"}"#,
            r#"{"jsonrpc":"2.0","id":"a","result":null}"#,
            r#"{"jsonrpc":"2.0","id":3,"error":{"code":-1,"message":"m"}}"#,
        ];
        for m in ok {
            assert!(check_message(m.as_bytes()).is_none(), "{m}");
        }
        let code = |m: &str| {
            let r = check_message(m.as_bytes()).expect(m);
            (r.error().map(|e| e.code), r.id().clone())
        };
        assert_eq!(code("{not json"), (Some(ErrorCode::ParseError), Id::Null));
        assert_eq!(code(""), (Some(ErrorCode::ParseError), Id::Null));
        assert_eq!(
            code(r#"{"jsonrpc":"1.0","id":7,"method":"x"}"#),
            (Some(ErrorCode::InvalidRequest), Id::Number(7))
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":{},"method":"x"}"#),
            (Some(ErrorCode::InvalidRequest), Id::Null)
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":"s","method":5}"#),
            (Some(ErrorCode::InvalidRequest), Id::String("s".into()))
        );
        assert_eq!(code("[1,2]"), (Some(ErrorCode::InvalidRequest), Id::Null));
    }

    fn publish(uri: &str, version: i64) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":uri,"version":version,"diagnostics":[]}})).unwrap()
    }

    /// Close `outbox` and read everything left in it.
    async fn drain(outbox: Outbox) -> Vec<String> {
        outbox.close();
        let mut got = Vec::new();
        while let Some(b) = outbox.pop().await {
            got.push(String::from_utf8(b).unwrap());
        }
        got
    }

    #[tokio::test]
    async fn a_newer_publish_replaces_the_queued_one_for_its_document() {
        let outbox = Outbox::default();
        outbox.push(&publish("file:///a", 1));
        outbox.push(br#"{"jsonrpc":"2.0","id":1,"result":null}"#);
        outbox.push(&publish("file:///b", 1));
        outbox.push(&publish("file:///a", 2));
        assert_eq!(outbox.len(), 3);
        let got = drain(outbox).await;
        assert!(got[0].contains(r#""id":1"#));
        assert!(got[1].contains("file:///b"));
        assert!(got[2].contains("file:///a") && got[2].contains(r#""version":2"#));
    }

    #[tokio::test]
    async fn only_queued_publishes_are_replaced() {
        let outbox = Outbox::default();
        outbox.push(&publish("file:///a", 1));
        assert!(outbox.pop().await.is_some());
        // Written already: the next one for the document is queued, not dropped.
        outbox.push(&publish("file:///a", 2));
        // A response that merely mentions the method replaces nothing.
        outbox.push(br#"{"jsonrpc":"2.0","id":2,"result":{"method":"textDocument/publishDiagnostics","params":{"uri":"file:///a"}}}"#);
        outbox.push(&publish("file:///b", 1));
        outbox.push(&publish("file:///a", 3));
        assert_eq!(outbox.len(), 3);
        let got = drain(outbox).await;
        assert!(got[0].contains(r#""id":2"#));
        assert!(got[1].contains("file:///b"));
        assert!(got[2].contains(r#""version":3"#));
    }

    /// A client that never reads: the queue grows to the backlog limit, then answers are
    /// replaced by short errors (each request still answered), then nothing more is kept;
    /// notifications other than diagnostics are dropped. Memory stays bounded.
    #[tokio::test]
    async fn output_owed_to_a_client_that_never_reads_is_bounded() {
        let outbox = Outbox::default();
        let big = "x".repeat(1024 * 1024);
        let mut answered_in_full = 0;
        let mut refused = 0;
        for id in 0..200 {
            let body = format!(r#"{{"jsonrpc":"2.0","id":{id},"result":"{big}"}}"#);
            outbox.push(body.as_bytes());
            outbox.push(
                br#"{"jsonrpc":"2.0","method":"$/progress","params":{"token":1,"value":{}}}"#,
            );
            outbox.push(&publish("file:///a", id));
            assert!(outbox.backlog() <= MAX_BACKLOG_BYTES + REFUSALS_BYTES + 2 * big.len());
        }
        // Past both limits nothing more is queued, however many answers follow.
        let before = outbox.backlog();
        for id in 200..100_000 {
            outbox.push(format!(r#"{{"jsonrpc":"2.0","id":{id},"result":null}}"#).as_bytes());
        }
        assert!(outbox.backlog() <= before + REFUSALS_BYTES);
        let got = drain(outbox).await;
        for m in &got {
            if m.contains(&big) {
                answered_in_full += 1;
            } else if m.contains("-32803") {
                refused += 1;
            }
        }
        assert!(
            (30..=34).contains(&answered_in_full),
            "{answered_in_full} answered in full"
        );
        assert!(
            answered_in_full + refused >= 200,
            "every early request answered"
        );
        assert_eq!(
            got.iter()
                .filter(|m| m.contains("publishDiagnostics"))
                .count(),
            1
        );
    }
}
