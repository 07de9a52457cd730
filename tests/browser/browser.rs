//! Chromedriver and a headless Chromium session, started per test and stopped with it.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::WindowHandle;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

/// A program named by the environment variable `variable`, or else the first of
/// `names` found on `PATH`.
fn program(variable: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(variable) {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// A browser session and the chromedriver serving it.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

/// A browser, or `None` when chromedriver or Chromium is missing outside CI (said
/// loudly); in CI a missing one fails the test. They are `CHROMEDRIVER` and `CHROME`
/// when set, or else `chromedriver` and `chromium` (or `chromium-browser`,
/// `google-chrome`) on `PATH`.
pub async fn browser(test: &str) -> Option<Browser> {
    browser_with(test, &[]).await
}

/// [`browser`], with Chromium started with `extra` arguments too.
pub async fn browser_with(test: &str, extra: &[&str]) -> Option<Browser> {
    let driver = program("CHROMEDRIVER", &["chromedriver"]);
    let chromium = program("CHROME", &["chromium", "chromium-browser", "google-chrome"]);
    let (Some(driver), Some(chromium)) = (driver, chromium) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "{test}: chromedriver or chromium is missing, and CI must run the browser tests"
        );
        eprintln!(
            "\n!!! SKIPPED {test}: no chromedriver or chromium on PATH, nor in CHROMEDRIVER and \
             CHROME (apt-get install chromium chromium-driver) !!!\n"
        );
        return None;
    };
    let port = free_port();
    let driver = Command::new(driver)
        .arg(format!("--port={port}"))
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], port))).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let profile = tempfile::tempdir().unwrap();
    let mut args = vec![
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
    ];
    let user_data = format!("--user-data-dir={}", profile.path().display());
    args.push(&user_data);
    args.extend(extra);
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": { "binary": chromium, "args": args },
    });
    let serde_json::Value::Object(capabilities) = capabilities else {
        unreachable!("a JSON object")
    };
    // A chromedriver that just started listening may still drop the first session
    // request on a loaded machine: try a few times.
    let mut attempts = 0;
    let client = loop {
        let session = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await;
        attempts += 1;
        match session {
            Ok(client) => break client,
            Err(error) if attempts < 5 => {
                eprintln!("{test}: no browser session yet ({error}); trying again");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(error) => panic!("{test}: no browser session after {attempts} tries: {error}"),
        }
    };
    Some(Browser {
        client,
        driver,
        _profile: profile,
    })
}

/// Runs `check` until it passes, for at most `within`; past it, fails the test
/// with what `check` last said.
pub async fn until(within: Duration, mut check: impl AsyncFnMut() -> Result<(), String>) {
    let deadline = Instant::now() + within;
    loop {
        match check().await {
            Ok(()) => return,
            Err(last) => assert!(Instant::now() < deadline, "{last}"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Whether a Redis answers on 127.0.0.1:6379; when none does, `test` skips outside
/// CI, saying so loudly, and fails in CI.
pub fn redis_or_skip(test: &str) -> bool {
    if std::net::TcpStream::connect("127.0.0.1:6379").is_ok() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: CI must run the tests that want Redis"
    );
    eprintln!("\n!!! SKIPPED {test}: no Redis on 127.0.0.1:6379 (CI is unset) !!!\n");
    false
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

impl Browser {
    /// The navbar's response time as the page shows it.
    pub async fn navbar_time(&self) -> String {
        let time = self
            .client
            .find(Locator::Css("#response-time"))
            .await
            .expect("a navbar time");
        time.text().await.unwrap()
    }

    /// Opens `url` and returns its navbar time.
    pub async fn open(&self, url: &str) -> String {
        self.client.goto(url).await.unwrap();
        self.navbar_time().await
    }

    /// Reloads the page and returns its navbar time.
    pub async fn refresh(&self) -> String {
        self.client.refresh().await.unwrap();
        self.navbar_time().await
    }

    /// Opens the toolbar, shows `panel`, and returns that panel's text once loaded.
    pub async fn toolbar_panel(&self, panel: &str) -> String {
        let toolbar = &self.client;
        let handle = toolbar.find(Locator::Css(".pdt-handle")).await.unwrap();
        // The sidebar stays open from page to page once opened.
        if handle.attr("aria-expanded").await.unwrap().as_deref() != Some("true") {
            handle.click().await.unwrap();
        }
        let tab = format!(".pdt-tabs [data-tab=\"{panel}\"]");
        toolbar
            .wait()
            .for_element(Locator::Css(&tab))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        // The panels arrive from the server when the sidebar first opens.
        let section = format!("#pokedex-toolbar [data-panel=\"{panel}\"]:not([aria-busy])");
        toolbar
            .wait()
            .for_element(Locator::Css(&section))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Clicks `link`, then waits until the element at `css` reads `text`.
    pub async fn click_to(&self, link: Locator<'_>, css: &str, text: &str) {
        self.client.find(link).await.unwrap().click().await.unwrap();
        self.wait_for_text(css, text).await;
    }

    /// Waits until the element at `css` reads `text` (or text starting with it).
    pub async fn wait_for_text(&self, css: &str, text: &str) {
        until(Duration::from_secs(10), async || {
            let element = self.client.find(Locator::Css(css)).await;
            let shown = match element {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if shown.starts_with(text) {
                Ok(())
            } else {
                Err(format!("{css} never read {text:?}"))
            }
        })
        .await;
    }

    /// Shows the tab or window `window`.
    pub async fn switch_to(&self, window: &WindowHandle) {
        self.client.switch_to_window(window.clone()).await.unwrap();
    }

    /// Saves a screenshot as `target/e2e-screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// Ends the session; dropping the browser then stops chromedriver.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // chromedriver leads its own process group, which Chromium's processes join:
        // a test that failed stops them all. Killing chromedriver alone left its
        // Chromium running, a dozen processes per failed test.
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
