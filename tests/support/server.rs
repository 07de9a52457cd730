//! The real `pokedex` binary as a server process, shared by the test targets that
//! need one: started on a free port in a temporary directory, killed when dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_pokedex");

/// Each store's budget on a test server, in milliseconds. Sixteen test threads
/// driving a dozen browsers on two cores have held a healthy database store of
/// `/all` (five entries, 220 KB) for 7 s, past a 2 s budget, turning the next hit a
/// test expects into a miss; a test of budgets passes its own flag.
pub const COMMAND_TIMEOUT_MS: &str = "10000";

/// The binary started in an empty temporary directory, on a free port.
pub struct Server {
    pub child: Child,
    pub addr: String,
    pub log: mpsc::Receiver<String>,
    /// Every log line up to "listening on".
    pub startup: Vec<String>,
    pub dir: tempfile::TempDir,
}

impl Server {
    /// Starts the binary with `args` after `--addr 127.0.0.1:0`, and waits until it
    /// listens.
    pub fn start(args: &[&str]) -> Self {
        Self::spawn(Command::new(BIN), args)
    }

    /// Starts `command` — the binary, or a program running it with the arguments
    /// that follow — as [`Server::start`] does.
    pub fn spawn(mut command: Command, args: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut child = command
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
            .current_dir(dir.path())
            .env_remove("DATABASE_URL")
            .env_remove("POKEDEX_CONFIG")
            .env_remove("POKEDEX_ADDR")
            .env("RUST_LOG", "pokedex=info")
            .env("NO_COLOR", "1")
            .env("POKEDEX_CACHES_FILE_COMMAND_TIMEOUT_MS", COMMAND_TIMEOUT_MS)
            .env(
                "POKEDEX_CACHES_DATABASE_COMMAND_TIMEOUT_MS",
                COMMAND_TIMEOUT_MS,
            )
            .env(
                "POKEDEX_CACHES_REDIS_COMMAND_TIMEOUT_MS",
                COMMAND_TIMEOUT_MS,
            )
            .stdout(Stdio::inherit())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let stderr = child.stderr.take().unwrap();
        let (sender, log) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut startup = Vec::new();
        while !startup
            .last()
            .is_some_and(|line: &String| line.contains("listening on http://"))
        {
            let line = log
                .recv_timeout(Duration::from_secs(60))
                .expect("the server starts");
            startup.push(line);
        }
        let addr = startup
            .last()
            .unwrap()
            .rsplit("http://")
            .next()
            .unwrap()
            .trim()
            .to_owned();
        Self {
            child,
            addr,
            log,
            startup,
            dir,
        }
    }

    /// Returns the first log line containing `needle`, waiting up to 30 s.
    pub fn wait_for(&self, needle: &str) -> String {
        loop {
            let line = self
                .log
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("no log line with {needle:?}"));
            if line.contains(needle) {
                return line;
            }
        }
    }

    pub fn get(&self, path: &str) -> String {
        self.send(&format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        ))
    }

    /// POSTs `form` (`name=value&...`) to `path`, as curl would.
    pub fn post_form(&self, path: &str, form: &str) -> String {
        self.send(&format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            self.addr,
            form.len()
        ))
    }

    fn send(&self, request: &str) -> String {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
