//! A one-line progress bar on standard error, drawn only on a terminal (a
//! log file or a pipe gets the final report and nothing else).

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Redraws at most this often.
const REDRAW: Duration = Duration::from_millis(100);
const WIDTH: usize = 30;

pub struct ProgressLine {
    enabled: bool,
    drawn: Option<Instant>,
    label: String,
}

impl ProgressLine {
    pub fn on_stderr() -> Self {
        Self {
            enabled: std::io::stderr().is_terminal(),
            drawn: None,
            label: String::new(),
        }
    }

    /// Shows `done` of `total` under `label`; a new label starts a new line.
    pub fn show(&mut self, label: &str, done: u64, total: u64) {
        if !self.enabled {
            return;
        }
        if self.label != label {
            if !self.label.is_empty() {
                eprintln!();
            }
            label.clone_into(&mut self.label);
            self.drawn = None;
        }
        let finished = done >= total;
        if !finished && self.drawn.is_some_and(|at| at.elapsed() < REDRAW) {
            return;
        }
        self.drawn = Some(Instant::now());
        let filled = (WIDTH as u64 * done.min(total))
            .checked_div(total)
            .map_or(WIDTH, |f| f as usize);
        let bar = format!("{}{}", "#".repeat(filled), "-".repeat(WIDTH - filled));
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{label:<16} [{bar}] {done}/{total}");
        let _ = err.flush();
    }

    /// Ends the bar's line.
    pub fn finish(&mut self) {
        if self.enabled && !self.label.is_empty() {
            eprintln!();
            self.label.clear();
        }
    }
}
