//! A lean HTTP/1.1 client for the benches that drive `judgebox serve`: one keep-alive
//! connection per client over tokio's `TcpStream`, requests written whole, responses parsed
//! just enough to find their end (`Content-Length`; chunked bodies are decoded too).
//!
//! Deliberately minimal: no TLS, no redirects, no pipelining. A load generator on the same
//! two CPUs as the server takes CPU from it, so the client should cost as little as possible
//! per request; a full client stack (or a ready-made tool such as `oha`) would cost more and
//! add a build of its own.

use std::net::SocketAddr;

use anyhow::{bail, Context};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// One response: its status code and body.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

/// A keep-alive connection to one server.
#[derive(Debug)]
pub struct HttpConn {
    addr: SocketAddr,
    stream: BufReader<TcpStream>,
    /// Reused between requests so that a request allocates nothing once the buffer is grown.
    request: Vec<u8>,
    line: String,
}

impl HttpConn {
    /// Connects, with Nagle off (each request is written in one go anyway).
    pub async fn connect(addr: SocketAddr) -> anyhow::Result<HttpConn> {
        let stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("connecting to {addr}"))?;
        stream.set_nodelay(true)?;
        Ok(HttpConn {
            addr,
            stream: BufReader::new(stream),
            request: Vec::with_capacity(512),
            line: String::with_capacity(128),
        })
    }

    /// `POST path` with a JSON body; waits for the whole response.
    pub async fn post_json(&mut self, path: &str, body: &[u8]) -> anyhow::Result<Response> {
        self.request("POST", path, Some(body)).await
    }

    /// `GET path`.
    pub async fn get(&mut self, path: &str) -> anyhow::Result<Response> {
        self.request("GET", path, None).await
    }

    async fn request(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
    ) -> anyhow::Result<Response> {
        use std::io::Write;
        self.request.clear();
        write!(
            self.request,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\n",
            self.addr
        )?;
        if let Some(body) = body {
            write!(
                self.request,
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            )?;
        }
        self.request.extend_from_slice(b"\r\n");
        if let Some(body) = body {
            self.request.extend_from_slice(body);
        }
        self.stream
            .get_mut()
            .write_all(&self.request)
            .await
            .with_context(|| format!("sending {method} {path}"))?;
        self.read_response()
            .await
            .with_context(|| format!("reading the answer to {method} {path}"))
    }

    async fn read_response(&mut self) -> anyhow::Result<Response> {
        self.line.clear();
        if self.stream.read_line(&mut self.line).await? == 0 {
            bail!("the server closed the connection");
        }
        let status: u16 = self
            .line
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .with_context(|| format!("not an HTTP status line: {:?}", self.line.trim_end()))?;
        let mut length: Option<usize> = None;
        let mut chunked = false;
        loop {
            self.line.clear();
            if self.stream.read_line(&mut self.line).await? == 0 {
                bail!("the server closed the connection in the headers");
            }
            let header = self.line.trim_end();
            if header.is_empty() {
                break;
            }
            let Some((name, value)) = header.split_once(':') else {
                bail!("malformed header {header:?}");
            };
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = Some(value.parse().context("Content-Length")?);
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.eq_ignore_ascii_case("chunked");
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                self.line.clear();
                self.stream.read_line(&mut self.line).await?;
                let size =
                    usize::from_str_radix(self.line.trim_end().split(';').next().unwrap_or(""), 16)
                        .context("chunk size")?;
                let start = body.len();
                body.resize(start + size, 0);
                self.stream.read_exact(&mut body[start..]).await?;
                self.line.clear();
                self.stream.read_line(&mut self.line).await?; // the chunk's CRLF
                if size == 0 {
                    break;
                }
            }
        } else if let Some(length) = length {
            body.resize(length, 0);
            self.stream.read_exact(&mut body).await?;
        } else if status != 204 && status != 304 {
            bail!("a response with neither Content-Length nor chunked encoding");
        }
        Ok(Response { status, body })
    }
}
