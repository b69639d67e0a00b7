//! Datelines: find and parse the publication date and time in a line of page text.
//!
//! No single date crate reads the datelines scrapers produce (`December 2, 2017 12:58 pm75
//! comments`, `Updated 3:45 PM ET, Sat Dec. 2, 2017`, `2 December 2017 14:05 GMT`, `12/02/2017`),
//! so the formats are explicit here: a date in one of four shapes, a time after it or just before
//! it, and an optional zone. Nothing is filled in from the clock: a missing time is midnight, so the
//! same text always gives the same value.

use std::ops::Range;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use regex::{Captures, Regex};

use crate::pipeline::DateOrder;

/// A date found in a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateHit {
    /// Byte range of the date text (weekday, date, time, zone) in the line.
    pub span: Range<usize>,
    /// Wall-clock time as printed.
    pub local: NaiveDateTime,
    /// Offset from UTC in minutes, when a zone or offset is printed.
    pub offset_minutes: Option<i32>,
    /// The day/month order was the opposite of the pipeline's (only that reading was a valid date).
    pub order_swapped: bool,
}

// Word boundaries are ASCII (`(?-u:\b)`) in these patterns and in the metadata stage's: a
// Unicode `\b` sends the regex engine from its lazy DFA to a slower one on any line with a
// non-ASCII character (`·`, `—`, curly quotes are everywhere in datelines), which cost a third of
// the metadata stage. They differ only next to a non-ASCII letter or digit (`é2017`).
const MONTH: &str = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?";
const WEEKDAY: &str =
    r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday|rsday)?\.?,?\s+)?";

static TEXT_MDY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?-u:\b){WEEKDAY}{MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})(?-u:\b)"
    ))
    .unwrap()
});
static TEXT_DMY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?-u:\b){WEEKDAY}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH},?\s+(?P<year>\d{{4}})(?-u:\b)"
    ))
    .unwrap()
});
static ISO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?P<year>\d{4})-(?P<m>\d{2})-(?P<day>\d{2})(?:[T ](?P<h>\d{2}):(?P<min>\d{2})(?::(?P<s>\d{2})(?:\.\d{1,9})?)?(?P<tz>Z|\s?[+-]\d{2}:?\d{2})?)?",
    )
    .unwrap()
});
static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?P<a>\d{1,2})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P<sep2>[/.\-])(?P<year>\d{4})(?-u:\b)")
        .unwrap()
});
/// A time right after the date: `12:58 pm`, `at 7:30 p.m.`, `, 14:05 GMT`, `- 9.15am`.
static TIME_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)^(?:\s*(?:,|(?-u:\b)at(?-u:\b)|\||-|–|—|·|•)?\s*)(?P<h>\d{{1,2}})[:.](?P<min>\d{{2}})(?::(?P<s>\d{{2}}))?(?:\s*(?P<ap>[ap]\.?m\.?))?{TZ}"
    ))
    .unwrap()
});
/// A time just before the date: `Updated 3:45 PM ET, Sat December 2, 2017`.
static TIME_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?P<h>\d{{1,2}})[:.](?P<min>\d{{2}})(?::(?P<s>\d{{2}}))?(?:\s*(?P<ap>[ap]\.?m\.?))?{TZ}\s*(?:,|(?-u:\b)on(?-u:\b)|\||-|–|—)?\s*$"
    ))
    .unwrap()
});
const TZ: &str = r"(?:\s*(?P<tz>(?:utc|gmt)\s?[+-]\d{1,2}(?::?\d{2})?|utc|gmt|z(?-u:\b)|[+-]\d{2}:?\d{2}(?-u:\b)|[ecmp][sd]?t(?-u:\b)|bst|cest|cet|eest|eet|jst|kst|ist|sgt|hkt|aedt|aest|wib|pkt|msk)(?P<tzend>))?";

fn month_number(m: &str) -> Option<u32> {
    let m = m.to_ascii_lowercase();
    let n = match &m[..3] {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    };
    Some(n)
}

fn num(c: &Captures<'_>, name: &str) -> Option<u32> {
    c.name(name).and_then(|m| m.as_str().parse().ok())
}

/// Second Sunday of March to first Sunday of November (US rules since 2007): daylight time.
fn us_daylight(d: NaiveDate) -> bool {
    let nth_sunday = |month: u32, n: u32| {
        let first = NaiveDate::from_ymd_opt(d.year(), month, 1).expect("valid month");
        let offset = (7 - first.weekday().num_days_from_sunday()) % 7;
        first + chrono::Days::new((offset + 7 * (n - 1)) as u64)
    };
    d >= nth_sunday(3, 2) && d < nth_sunday(11, 1)
}

/// Minutes east of UTC for a zone as printed, on the date `d` (for `ET`/`PT`, whose offset depends
/// on daylight time).
fn zone_offset(tz: &str, d: NaiveDate) -> Option<i32> {
    let t = tz.trim().to_ascii_lowercase();
    if let Some(rest) = t.strip_prefix("utc").or_else(|| t.strip_prefix("gmt")) {
        let rest = rest.trim();
        if rest.is_empty() {
            return Some(0);
        }
        return parse_offset(rest);
    }
    if t.starts_with(['+', '-']) {
        return parse_offset(&t);
    }
    let dst = us_daylight(d);
    let us = |std: i32| Some(if dst { std + 60 } else { std });
    Some(match t.as_str() {
        "z" => 0,
        "est" => -300,
        "edt" => -240,
        "cst" => -360,
        "cdt" => -300,
        "mst" => -420,
        "mdt" => -360,
        "pst" => -480,
        "pdt" => -420,
        "et" => return us(-300),
        "ct" => return us(-360),
        "mt" => return us(-420),
        "pt" => return us(-480),
        "bst" => 60,
        "cet" => 60,
        "cest" => 120,
        "eet" => 120,
        "eest" => 180,
        "msk" => 180,
        "pkt" => 300,
        "ist" => 330,
        "wib" => 420,
        "sgt" | "hkt" => 480,
        "jst" | "kst" => 540,
        "aest" => 600,
        "aedt" => 660,
        _ => return None,
    })
}

fn parse_offset(s: &str) -> Option<i32> {
    let sign = if s.starts_with('-') { -1 } else { 1 };
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let (h, m) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().ok()?, 0),
        3 => (
            digits[..1].parse::<i32>().ok()?,
            digits[1..].parse::<i32>().ok()?,
        ),
        4 => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..].parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    (h <= 14 && m < 60).then_some(sign * (h * 60 + m))
}

fn time_of(c: &Captures<'_>) -> Option<NaiveTime> {
    let mut h = num(c, "h")?;
    let m = num(c, "min")?;
    let s = num(c, "s").unwrap_or(0);
    if let Some(ap) = c.name("ap") {
        if !(1..=12).contains(&h) {
            return None;
        }
        let pm = ap.as_str().to_ascii_lowercase().starts_with('p');
        h = match (pm, h) {
            (false, 12) => 0,
            (true, 12) => 12,
            (true, h) => h + 12,
            (false, h) => h,
        };
    }
    NaiveTime::from_hms_opt(h, m, s)
}

/// A date candidate before the time is attached.
struct Found {
    span: Range<usize>,
    date: NaiveDate,
    time: Option<NaiveTime>,
    tz: Option<String>,
    swapped: bool,
    /// ISO dates carry their own time; no separate time is looked for.
    complete: bool,
}

fn find_date(line: &str, order: DateOrder) -> Option<Found> {
    let mut best: Option<Found> = None;
    let mut consider = |f: Found| {
        if best.as_ref().is_none_or(|b| f.span.start < b.span.start) {
            best = Some(f);
        }
    };
    for re in [&*TEXT_MDY, &*TEXT_DMY] {
        for c in re.captures_iter(line) {
            let (Some(mon), Some(day), Some(year)) = (
                c.name("mon").and_then(|m| month_number(m.as_str())),
                num(&c, "day"),
                num(&c, "year"),
            ) else {
                continue;
            };
            if let Some(date) = NaiveDate::from_ymd_opt(year as i32, mon, day) {
                let m = c.get(0).expect("match");
                consider(Found {
                    span: m.range(),
                    date,
                    time: None,
                    tz: None,
                    swapped: false,
                    complete: false,
                });
                break;
            }
        }
    }
    if let Some(c) = ISO.captures(line) {
        let (y, m, d) = (num(&c, "year"), num(&c, "m"), num(&c, "day"));
        if let Some(date) =
            NaiveDate::from_ymd_opt(y.unwrap_or(0) as i32, m.unwrap_or(0), d.unwrap_or(0))
        {
            let time = if c.name("h").is_some() {
                time_of(&c)
            } else {
                None
            };
            consider(Found {
                span: c.get(0).expect("match").range(),
                date,
                time,
                tz: c.name("tz").map(|t| t.as_str().to_string()),
                swapped: false,
                complete: c.name("h").is_some(),
            });
        }
    }
    for c in NUMERIC.captures_iter(line) {
        // `12/02/2017` and `12.02.2017`, but never a mix of separators.
        if c["sep"] != c["sep2"] {
            continue;
        }
        let (a, b, y) = (num(&c, "a")?, num(&c, "b")?, num(&c, "year")? as i32);
        let (first, second) = match order {
            DateOrder::Mdy => ((b, a), (a, b)),
            DateOrder::Dmy => ((a, b), (b, a)),
        };
        // (day, month) readings: the configured one first, the other only when the first is invalid.
        let (date, swapped) = match NaiveDate::from_ymd_opt(y, first.1, first.0) {
            Some(d) => (d, false),
            None => match NaiveDate::from_ymd_opt(y, second.1, second.0) {
                Some(d) => (d, true),
                None => continue,
            },
        };
        consider(Found {
            span: c.get(0).expect("match").range(),
            date,
            time: None,
            tz: None,
            swapped,
            complete: false,
        });
        break;
    }
    best
}

fn sane_year(d: NaiveDate) -> bool {
    (1900..=2100).contains(&d.year())
}

/// Finds the first plausible date in `line`, with its time and zone.
pub fn parse_dateline(line: &str, order: DateOrder) -> Option<DateHit> {
    // Every date shape has a four-digit year.
    if !line
        .as_bytes()
        .windows(4)
        .any(|w| w.iter().all(u8::is_ascii_digit))
    {
        return None;
    }
    let mut f = find_date(line, order)?;
    if !sane_year(f.date) {
        return None;
    }
    let mut span = f.span.clone();
    if !f.complete {
        if let Some(c) = TIME_AFTER.captures(&line[span.end..]) {
            if let Some(t) = time_of(&c) {
                f.time = Some(t);
                f.tz = c.name("tz").map(|m| m.as_str().to_string());
                let end = c
                    .name("tzend")
                    .or(c.name("ap"))
                    .or(c.name("s"))
                    .or(c.name("min"));
                span.end += end.map_or(0, |m| m.end());
            }
        } else if let Some(c) = TIME_BEFORE.captures(&line[..span.start]) {
            if let Some(t) = time_of(&c) {
                f.time = Some(t);
                f.tz = c.name("tz").map(|m| m.as_str().to_string());
                span.start = c.get(0).expect("match").start();
            }
        }
    }
    let local = f.date.and_time(f.time.unwrap_or(NaiveTime::MIN));
    let offset_minutes = f.tz.as_deref().and_then(|tz| zone_offset(tz, f.date));
    // Trim separators the time pattern may have eaten at the edges.
    let raw = &line[span.clone()];
    let lead = raw.len() - raw.trim_start_matches([' ', ',', '|', '-', '–', '—']).len();
    let trail = raw.len() - raw.trim_end_matches([' ', ',', '|', '-', '–', '—']).len();
    span = span.start + lead..span.end - trail;
    Some(DateHit {
        span,
        local,
        offset_minutes,
        order_swapped: f.swapped,
    })
}

/// Microseconds since the Unix epoch of a wall-clock time read as UTC.
pub fn micros(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_micros()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: &str) -> (String, String, Option<i32>) {
        p_order(line, DateOrder::Mdy)
    }

    fn p_order(line: &str, order: DateOrder) -> (String, String, Option<i32>) {
        let h = parse_dateline(line, order).unwrap_or_else(|| panic!("no date in {line:?}"));
        (
            line[h.span.clone()].to_string(),
            h.local.format("%Y-%m-%d %H:%M:%S").to_string(),
            h.offset_minutes,
        )
    }

    #[test]
    fn reference_dateline_with_glued_counters() {
        let (raw, at, tz) = p("December 2, 2017 12:58 pm75 commentsViews: 133");
        assert_eq!(raw, "December 2, 2017 12:58 pm");
        assert_eq!(at, "2017-12-02 12:58:00");
        assert_eq!(tz, None);
    }

    #[test]
    fn common_formats() {
        let cases = [
            ("Dec. 2, 2017", "Dec. 2, 2017", "2017-12-02 00:00:00", None),
            (
                "2 December 2017",
                "2 December 2017",
                "2017-12-02 00:00:00",
                None,
            ),
            (
                "2017-12-02T12:58:00Z",
                "2017-12-02T12:58:00Z",
                "2017-12-02 12:58:00",
                Some(0),
            ),
            (
                "2018-03-05T09:15:00+09:00",
                "2018-03-05T09:15:00+09:00",
                "2018-03-05 09:15:00",
                Some(540),
            ),
            ("12/02/2017", "12/02/2017", "2017-12-02 00:00:00", None),
            (
                "Updated March 4, 2019 10:05 am",
                "March 4, 2019 10:05 am",
                "2019-03-04 10:05:00",
                None,
            ),
            (
                "Published: Jan. 9, 2020 at 7:30 pm",
                "Jan. 9, 2020 at 7:30 pm",
                "2020-01-09 19:30:00",
                None,
            ),
            (
                "Posted on June 14, 2018",
                "June 14, 2018",
                "2018-06-14 00:00:00",
                None,
            ),
            (
                "Monday, 5 March 2018 14:05 GMT",
                "Monday, 5 March 2018 14:05 GMT",
                "2018-03-05 14:05:00",
                Some(0),
            ),
            (
                "Sept. 30, 2016",
                "Sept. 30, 2016",
                "2016-09-30 00:00:00",
                None,
            ),
            (
                "Updated 3:45 PM ET, Sat December 2, 2017",
                "3:45 PM ET, Sat December 2, 2017",
                "2017-12-02 15:45:00",
                Some(-300),
            ),
            (
                "July 4, 2018 9:00 a.m. ET",
                "July 4, 2018 9:00 a.m. ET",
                "2018-07-04 09:00:00",
                Some(-240),
            ),
            (
                "the 4th of July 2019",
                "4th of July 2019",
                "2019-07-04 00:00:00",
                None,
            ),
            (
                "12:00 am, May 1, 2020",
                "12:00 am, May 1, 2020",
                "2020-05-01 00:00:00",
                None,
            ),
            (
                "March 3, 2019 9:05 am12 commentsViews: 2,048",
                "March 3, 2019 9:05 am",
                "2019-03-03 09:05:00",
                None,
            ),
            (
                "2 December 2017 14:05 UTC+1",
                "2 December 2017 14:05 UTC+1",
                "2017-12-02 14:05:00",
                Some(60),
            ),
        ];
        for (line, raw, at, tz) in cases {
            assert_eq!(p(line), (raw.to_string(), at.to_string(), tz), "{line}");
        }
    }

    #[test]
    fn numeric_order_follows_setting() {
        assert_eq!(
            p_order("12/02/2017", DateOrder::Dmy).1,
            "2017-02-12 00:00:00"
        );
        let h = parse_dateline("25/12/2017", DateOrder::Mdy).unwrap();
        assert!(h.order_swapped);
        assert_eq!(h.local.format("%m-%d").to_string(), "12-25");
        assert!(parse_dateline("13/13/2017", DateOrder::Mdy).is_none());
    }

    #[test]
    fn not_dates() {
        for s in [
            "No. 10 Downing Street",
            "February 30, 2017",
            "In 2017 the talks",
            "3.5 percent",
            "1/2/3",
            "May 5, 3017",
        ] {
            assert!(parse_dateline(s, DateOrder::Mdy).is_none(), "{s}");
        }
    }

    #[test]
    fn et_follows_us_daylight_time() {
        assert_eq!(p("January 5, 2021 9:00 am ET").2, Some(-300));
        assert_eq!(p("August 5, 2021 9:00 am ET").2, Some(-240));
    }
}
