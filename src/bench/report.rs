//! A comparison's results, and their forms: a table for the terminal, JSON, CSV, and
//! an SVG bar chart of requests per second with p99 beside each bar.

use std::fmt::Write as _;

use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use serde::{Deserialize, Serialize};

/// One configuration's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// The page requested.
    pub page: String,
    /// `off`, `site`, `site+fragment`, …
    pub strategy: String,
    /// The backend; `None` for the baseline.
    pub backend: Option<String>,
    /// Answered requests per second.
    pub requests_per_second: f64,
    /// Latency percentiles and maximum, in milliseconds.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Maximum.
    pub max_ms: f64,
    /// Requests measured (answered or not).
    pub requests: u64,
    /// Requests answered 2xx.
    pub successes: u64,
    /// Requests that failed: transport errors plus non-2xx answers.
    pub errors: u64,
    /// Requests that got no answer.
    pub transport_errors: u64,
    /// Answers that were not 2xx.
    pub status_errors: u64,
    /// Body bytes per 2xx answer.
    pub bytes_per_response: f64,
    /// SQL statements per request, as the server counted them.
    pub sql_per_request: f64,
    /// Cache hits over lookups while measuring; `None` without lookups.
    pub hit_ratio: Option<f64>,
    /// Requests per second over the page's uncached baseline.
    pub speedup: Option<f64>,
    /// Why it was not measured, when it was not.
    pub skipped: Option<String>,
}

impl RunResult {
    /// The configuration as a person reads it: `/all site · memory`.
    #[must_use]
    pub fn label(&self) -> String {
        match &self.backend {
            Some(backend) => format!("{} {} · {backend}", self.page, self.strategy),
            None => format!("{} {}", self.page, self.strategy),
        }
    }

    /// Whether this is a page's uncached baseline.
    #[must_use]
    pub fn is_baseline(&self) -> bool {
        self.strategy == "off"
    }
}

/// A whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Every configuration, in the order measured.
    pub results: Vec<RunResult>,
    /// Requests per second this client reaches against a trivial page of the same
    /// server: past it, the client, not the server, is the limit.
    pub client_ceiling: Option<f64>,
    /// The app's version.
    pub version: String,
}

impl Report {
    /// The results measured, fastest first.
    #[must_use]
    pub fn ranked(&self) -> Vec<&RunResult> {
        let mut ranked: Vec<&RunResult> = self
            .results
            .iter()
            .filter(|r| r.skipped.is_none())
            .collect();
        ranked.sort_by(|a, b| b.requests_per_second.total_cmp(&a.requests_per_second));
        ranked
    }

    /// The table the terminal shows, fastest first, then what was skipped.
    #[must_use]
    pub fn table(&self) -> Table {
        let mut table = Table::new();
        table.load_style(UTF8_FULL_CONDENSED).set_header(vec![
            "page",
            "strategy",
            "backend",
            "req/s",
            "speed-up",
            "p50 ms",
            "p90 ms",
            "p99 ms",
            "max ms",
            "errors",
            "KB/resp",
            "SQL/req",
            "hit ratio",
        ]);
        for result in self.ranked() {
            let number = |text: String| Cell::new(text).set_alignment(CellAlignment::Right);
            table.add_row(vec![
                Cell::new(&result.page),
                Cell::new(&result.strategy),
                Cell::new(result.backend.as_deref().unwrap_or("–")),
                number(format!("{:.0}", result.requests_per_second)),
                number(
                    result
                        .speedup
                        .map_or("baseline".to_owned(), |s| format!("{s:.1}×")),
                ),
                number(format!("{:.2}", result.p50_ms)),
                number(format!("{:.2}", result.p90_ms)),
                number(format!("{:.2}", result.p99_ms)),
                number(format!("{:.2}", result.max_ms)),
                number(result.errors.to_string()),
                number(format!("{:.1}", result.bytes_per_response / 1000.0)),
                number(format!("{:.2}", result.sql_per_request)),
                number(
                    result
                        .hit_ratio
                        .map_or("–".to_owned(), |r| format!("{:.1} %", r * 100.0)),
                ),
            ]);
        }
        for result in self.results.iter().filter(|r| r.skipped.is_some()) {
            let mut row = vec![
                Cell::new(&result.page),
                Cell::new(&result.strategy),
                Cell::new(result.backend.as_deref().unwrap_or("–")),
            ];
            row.push(Cell::new(format!(
                "skipped: {}",
                result.skipped.as_deref().unwrap_or_default()
            )));
            table.add_row(row);
        }
        table
    }

    /// The results as JSON: `{"results": [...], "client_ceiling": …, "version": …}`.
    #[must_use]
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The results as CSV, one row per configuration.
    pub fn csv(&self) -> Result<String, csv::Error> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record([
            "page",
            "strategy",
            "backend",
            "requests_per_second",
            "p50_ms",
            "p90_ms",
            "p99_ms",
            "max_ms",
            "requests",
            "successes",
            "errors",
            "transport_errors",
            "status_errors",
            "bytes_per_response",
            "sql_per_request",
            "hit_ratio",
            "speedup",
            "skipped",
        ])?;
        let optional = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
        for r in &self.results {
            writer.write_record([
                r.page.clone(),
                r.strategy.clone(),
                r.backend.clone().unwrap_or_default(),
                r.requests_per_second.to_string(),
                r.p50_ms.to_string(),
                r.p90_ms.to_string(),
                r.p99_ms.to_string(),
                r.max_ms.to_string(),
                r.requests.to_string(),
                r.successes.to_string(),
                r.errors.to_string(),
                r.transport_errors.to_string(),
                r.status_errors.to_string(),
                r.bytes_per_response.to_string(),
                r.sql_per_request.to_string(),
                optional(r.hit_ratio),
                optional(r.speedup),
                r.skipped.clone().unwrap_or_default(),
            ])?;
        }
        let bytes = writer
            .into_inner()
            .map_err(csv::IntoInnerError::into_error)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// A horizontal bar chart of requests per second, fastest first, with p99 beside
    /// each bar; baselines in grey, and the client's ceiling as a dashed line.
    #[must_use]
    pub fn svg(&self) -> String {
        const LABEL: f64 = 260.0;
        const BAR: f64 = 420.0;
        const ROW: f64 = 28.0;
        let ranked = self.ranked();
        let fastest = ranked
            .iter()
            .map(|r| r.requests_per_second)
            .fold(1.0_f64, f64::max);
        // The ceiling is drawn when it is near the bars; far above, it is only said.
        let drawn_ceiling = self
            .client_ceiling
            .filter(|ceiling| *ceiling <= fastest * 1.25);
        let top = drawn_ceiling.map_or(fastest, |ceiling| ceiling.max(fastest));
        #[allow(clippy::cast_precision_loss, reason = "a chart's geometry")]
        let height = 56.0 + ROW * ranked.len() as f64;
        let width = LABEL + BAR + 200.0;
        let mut svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" \
             role=\"img\" aria-label=\"Requests per second by configuration\" font-family=\"system-ui, sans-serif\" font-size=\"13\">\
             <text x=\"0\" y=\"18\" font-weight=\"600\">Requests per second (p99 latency beside each bar)</text>"
        );
        for (i, result) in ranked.iter().enumerate() {
            #[allow(clippy::cast_precision_loss, reason = "a chart's geometry")]
            let y = 36.0 + ROW * i as f64;
            let length = (result.requests_per_second / top * BAR).max(1.0);
            let colour = if result.is_baseline() {
                "#adb5bd"
            } else {
                "#0d6efd"
            };
            let label = escape(&result.label());
            let _ = write!(
                svg,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{label}</text>\
                 <rect x=\"{LABEL}\" y=\"{y}\" width=\"{length:.1}\" height=\"{}\" fill=\"{colour}\"><title>{label}: {:.0} req/s</title></rect>\
                 <text x=\"{:.1}\" y=\"{}\">{:.0} req/s · p99 {:.2} ms{}</text>",
                LABEL - 8.0,
                y + 15.0,
                ROW - 8.0,
                result.requests_per_second,
                LABEL + length + 6.0,
                y + 15.0,
                result.requests_per_second,
                result.p99_ms,
                if result.is_baseline() {
                    " · baseline"
                } else {
                    ""
                },
            );
        }
        match (drawn_ceiling, self.client_ceiling) {
            (Some(ceiling), _) => {
                let x = LABEL + ceiling / top * BAR;
                let _ = write!(
                    svg,
                    "<line x1=\"{x:.1}\" y1=\"28\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#dc3545\" stroke-dasharray=\"4 3\"/>\
                     <text x=\"{x:.1}\" y=\"{:.1}\" fill=\"#dc3545\" text-anchor=\"middle\">client ceiling {ceiling:.0} req/s</text>",
                    height - 14.0,
                    height - 2.0,
                );
            }
            (None, Some(ceiling)) => {
                let _ = write!(
                    svg,
                    "<text x=\"0\" y=\"{:.1}\" fill=\"#6c757d\">The client reaches {ceiling:.0} req/s against a trivial page: far above every bar.</text>",
                    height - 2.0,
                );
            }
            (None, None) => {}
        }
        svg.push_str("</svg>");
        svg
    }
}

/// `text` safe inside SVG markup.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
