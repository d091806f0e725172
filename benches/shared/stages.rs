//! Where the match engine's time goes: the wall time and the time on a
//! thread of each of its stages (the `match_*` spans: existing rows, facts,
//! candidates, scoring, persisting), summed over a phase of a benchmark.
//!
//! A `tracing` layer rather than a profiler: stages that wait on the
//! database or run on the blocking pool show up as wall time, which a
//! sampling profiler of a 2-core machine under load does not split well.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tracing::span::{Attributes, Id};
use tracing::{Metadata, Subscriber};
use tracing_subscriber::filter::{FilterFn, Filtered};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;

/// The totals of one stage.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stage {
    pub count: u64,
    /// From the span's creation to its close.
    pub wall: Duration,
    /// While the span was entered (polled, or running its closure).
    pub busy: Duration,
}

/// Totals by stage name; cheap to clone (one shared table).
#[derive(Clone, Default)]
pub struct Stages(Arc<Mutex<BTreeMap<&'static str, Stage>>>);

struct Timing {
    opened: Instant,
    entered: Option<Instant>,
    busy: Duration,
}

fn is_stage(metadata: &Metadata<'_>) -> bool {
    metadata.name().starts_with("match_")
}

impl Stages {
    /// Installs the layer as the process's subscriber (only the stages'
    /// spans are recorded; nothing is logged).
    pub fn install() -> Self {
        let stages = Self::default();
        let layer: Filtered<Self, _, _> = stages
            .clone()
            .with_filter(FilterFn::new(|metadata: &Metadata<'_>| is_stage(metadata)));
        tracing_subscriber::registry().with(layer).init();
        stages
    }

    /// The totals since the last call, and a fresh start.
    pub fn take(&self) -> BTreeMap<&'static str, Stage> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Prints the totals since the last call, per unit of `per` (one
    /// refreshed need, one request).
    pub fn print(&self, title: &str, units: usize, per: &str) {
        let totals = self.take();
        println!("  stages of {title}, per {per} (mean of {units}):");
        let units = units.max(1) as f64;
        for (name, stage) in totals {
            println!(
                "    {name:<18} {:>6.2} ms wall, {:>6.2} ms busy, {:>5.1} spans",
                stage.wall.as_secs_f64() * 1000.0 / units,
                stage.busy.as_secs_f64() * 1000.0 / units,
                stage.count as f64 / units
            );
        }
    }
}

impl<S> Layer<S> for Stages
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, _attributes: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(Timing {
                opened: Instant::now(),
                entered: None,
                busy: Duration::ZERO,
            });
        }
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(timing) = span.extensions_mut().get_mut::<Timing>()
        {
            timing.entered = Some(Instant::now());
        }
    }

    fn on_exit(&self, id: &Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(timing) = span.extensions_mut().get_mut::<Timing>()
            && let Some(entered) = timing.entered.take()
        {
            timing.busy += entered.elapsed();
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let extensions = span.extensions();
        let Some(timing) = extensions.get::<Timing>() else {
            return;
        };
        let mut totals = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let stage = totals.entry(span.name()).or_default();
        stage.count += 1;
        stage.wall += timing.opened.elapsed();
        stage.busy += timing.busy;
    }
}
