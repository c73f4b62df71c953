//! Level strings, read like upstream's tracing `EnvFilter`: `extism=<level>` for a plain level,
//! otherwise a comma-separated directive list (see `Filter::parse`).

use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering as CmpOrdering;

use super::{Level, LEVEL_OFF};

/// The subset of tracing's `EnvFilter` a level string can express for our events: static
/// directives (`target=level`, `target[{field}]=level`, a bare level) decide; directives naming a
/// span or a field value (dynamic in tracing) never match an event of ours, but still count for
/// the max-level hint, as upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// Most specific first: longer target, then more field names (tracing's order).
    statics: Vec<StaticDirective>,
    statics_max: u8,
    dynamics_max: u8,
    /// A dynamic directive filters on a field value: tracing then hints TRACE.
    value_filters: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct StaticDirective {
    target: Option<String>,
    fields: Vec<String>,
    /// Verbosity 0 (off) ..= 5 (trace).
    level: u8,
}

/// One parsed directive before it is sorted into static or dynamic.
#[derive(Debug, Default)]
struct Directive {
    target: Option<String>,
    span: Option<String>,
    /// Field names, and whether each names a value too.
    fields: Vec<(String, bool)>,
    level: u8,
}

/// tracing's `Level::from_str`: "1" (error) ..= "5" (trace) or a level name, any case.
pub(super) fn parse_level(s: &str) -> Option<u8> {
    if let Ok(n) = s.parse::<usize>() {
        if (1..=5).contains(&n) {
            return Some(n as u8);
        }
    }
    level_name(s)
}

fn level_name(s: &str) -> Option<u8> {
    ["error", "warn", "info", "debug", "trace"]
        .iter()
        .position(|name| s.eq_ignore_ascii_case(name))
        .map(|i| i as u8 + 1)
}

/// tracing's `LevelFilter::from_str`: "0" (off) ..= "5" (trace), a level name or "off", any case.
pub(super) fn parse_level_filter(s: &str) -> Option<u8> {
    if let Ok(n) = s.parse::<usize>() {
        if n <= 5 {
            return Some(n as u8);
        }
    }
    if s.is_empty() {
        return Some(1);
    }
    if s.eq_ignore_ascii_case("off") {
        return Some(0);
    }
    level_name(s)
}

/// One directive, by tracing-subscriber's own state machine, quirks included: it walks the trimmed
/// text but slices the untrimmed one with those positions, so " info" is a target named " info"
/// and " a=info" fails on its level.
fn parse_directive(from: &str) -> Result<Directive, ()> {
    #[derive(Clone, Copy)]
    enum St {
        Start,
        LevelOrTarget(usize),
        Span(usize),
        Field(usize),
        Fields,
        Target,
        Level(usize),
        Complete,
    }
    let part = |a: usize, b: usize| from.get(a..b).map(String::from).ok_or(());
    let rest = |a: usize| from.get(a..).ok_or(());
    let level_or_default = |s: &str| if s.is_empty() { Ok(5) } else { parse_level_filter(s).ok_or(()) };
    let field = |s: &str| -> Result<(String, bool), ()> {
        if s.is_empty() {
            return Err(());
        }
        let mut it = s.split('=');
        let name = it.next().unwrap_or("");
        Ok((String::from(name), it.next().is_some()))
    };
    let mut d = Directive { level: 5, ..Directive::default() };
    let mut st = St::Start;
    for (i, c) in from.trim().char_indices() {
        st = match (st, c) {
            (St::Start, '[') => St::Span(i + 1),
            (St::Start, c) if !matches!(c, '-' | ':' | '_') && !c.is_alphanumeric() => return Err(()),
            (St::Start, _) => St::LevelOrTarget(i),
            (St::LevelOrTarget(s), '=') => {
                d.target = Some(part(s, i)?);
                St::Level(i + 1)
            }
            (St::LevelOrTarget(s), '[') => {
                d.target = Some(part(s, i)?);
                St::Span(i + 1)
            }
            (St::LevelOrTarget(s), ',') => {
                level_or_target(&mut d, rest(s)?);
                St::Complete
            }
            (st @ St::LevelOrTarget(_), _) => st,
            (St::Target, '=') => St::Level(i + 1),
            (St::Span(s), ']') => {
                d.span = Some(part(s, i)?);
                St::Target
            }
            (St::Span(s), '{') => {
                let name = part(s, i)?;
                d.span = if name.is_empty() { None } else { Some(name) };
                St::Field(i + 1)
            }
            (st @ St::Span(_), _) => st,
            (St::Field(s), '}') => {
                d.fields.push(field(&part(s, i)?)?);
                St::Fields
            }
            (St::Field(s), ',') => {
                d.fields.push(field(&part(s, i)?)?);
                St::Field(i + 1)
            }
            (st @ St::Field(_), _) => st,
            (St::Fields, ']') => St::Target,
            (St::Level(s), ',') => {
                d.level = level_or_default(&part(s, i)?)?;
                St::Complete
            }
            (st @ St::Level(_), _) => st,
            _ => return Err(()),
        };
    }
    match st {
        St::LevelOrTarget(s) => level_or_target(&mut d, rest(s)?),
        St::Level(s) => d.level = level_or_default(rest(s)?)?,
        St::Target | St::Complete => {}
        _ => return Err(()),
    }
    Ok(d)
}

/// A lone word: a level filter if it reads as one, otherwise a target with every level on.
fn level_or_target(d: &mut Directive, word: &str) {
    match word {
        "" => (d.level, d.target) = (5, None),
        w => match parse_level_filter(w) {
            Some(level) => (d.level, d.target) = (level, None),
            None => (d.level, d.target) = (5, Some(String::from(w))),
        },
    }
}

/// tracing's specificity order, most specific first.
fn specificity(a: &StaticDirective, b: &StaticDirective) -> CmpOrdering {
    a.target
        .as_ref()
        .map(String::len)
        .cmp(&b.target.as_ref().map(String::len))
        .then_with(|| a.fields.len().cmp(&b.fields.len()))
        .then_with(|| a.target.cmp(&b.target).then_with(|| a.fields.cmp(&b.fields)))
        .reverse()
}

impl Filter {
    /// Reads a level string as upstream does: a plain level (`info`, `WARN`, `3`, ...) means
    /// `extism=<level>`; anything else is a directive list whose unreadable directives are skipped;
    /// with no directive left, the filter is `error`.
    pub fn parse(spec: &str) -> Filter {
        let mut filter = Filter { statics: Vec::new(), statics_max: 0, dynamics_max: 0, value_filters: false };
        let list;
        let spec = if parse_level(spec).is_some() {
            list = alloc::format!("extism={spec}");
            list.as_str()
        } else {
            spec
        };
        let mut dynamics = false;
        for d in spec.split(',').filter(|s| !s.is_empty()).filter_map(|s| parse_directive(s).ok()) {
            dynamics |= filter.add(d);
        }
        if filter.statics.is_empty() && !dynamics {
            filter.add(Directive { level: 1, ..Directive::default() });
        }
        filter
    }

    /// Adds one directive; true if it was dynamic.
    fn add(&mut self, d: Directive) -> bool {
        if d.span.is_some() || d.fields.iter().any(|(_, value)| *value) {
            self.dynamics_max = self.dynamics_max.max(d.level);
            self.value_filters |= d.fields.iter().any(|(_, value)| *value);
            return true;
        }
        self.statics_max = self.statics_max.max(d.level);
        let s = StaticDirective {
            target: d.target,
            fields: d.fields.into_iter().map(|(n, _)| n).collect(),
            level: d.level,
        };
        match self.statics.binary_search_by(|probe| specificity(probe, &s)) {
            Ok(i) => self.statics[i] = s,
            Err(i) => self.statics.insert(i, s),
        }
        false
    }

    /// Whether an event at `level` with `target` is written. Our events carry the field `message`,
    /// and `plugin` when `has_plugin`.
    pub fn enabled(&self, level: Level, target: &str, has_plugin: bool) -> bool {
        let v = level.verbosity();
        if v > self.statics_max {
            return false;
        }
        let has_field = |name: &String| name == "message" || (has_plugin && name == "plugin");
        self.statics
            .iter()
            .find(|d| {
                d.target.as_ref().is_none_or(|t| target.starts_with(t.as_str())) && d.fields.iter().all(has_field)
            })
            .is_some_and(|d| v <= d.level)
    }

    /// The `get_log_level` code of the max-level hint: 0 trace .. 4 error, `LEVEL_OFF` for off.
    pub fn level_code(&self) -> i32 {
        let max = if self.value_filters { 5 } else { self.statics_max.max(self.dynamics_max) };
        if max == 0 {
            LEVEL_OFF
        } else {
            5 - i32::from(max)
        }
    }
}
