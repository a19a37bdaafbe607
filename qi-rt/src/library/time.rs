//! The `时间` / `日期` module (builtins.md §G.3, §G.4): Unix timestamps in seconds
//! (except the `现在毫秒` family), calendar components in UTC, strftime formatting and
//! parsing with chrono. Never an exception (§G.1): a timestamp or date chrono cannot
//! represent gives 0 (`格式化`: `""`). Sleeps park the calling green thread on the
//! scheduler's timers; the worker runs other green threads meanwhile.

use std::fmt::Write;
use std::time::Duration;

use chrono::format::{Item, StrftimeItems};
use chrono::{
    DateTime, Datelike, Local, Months, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc,
};

use crate::guard::guard;
use crate::sched;
use crate::string::{new_str, str_as_str, Str};

const DAY: i64 = 86_400;

/// The UTC date and time of a timestamp; `None` outside chrono's range.
fn utc(ts: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(ts, 0)
}

/// A component of a timestamp's UTC date and time, 0 outside chrono's range.
fn component(ts: i64, f: impl FnOnce(DateTime<Utc>) -> u32) -> i64 {
    utc(ts).map_or(0, |d| f(d) as i64)
}

/// The timestamp of midnight (UTC) starting `date`.
fn midnight(date: NaiveDate) -> i64 {
    date.and_time(chrono::NaiveTime::MIN).and_utc().timestamp()
}

/// The last second (23:59:59 UTC) of `date`.
fn last_second(date: NaiveDate) -> i64 {
    midnight(date) + DAY - 1
}

/// `date`'s timestamp mapped through `f`, 0 outside chrono's range.
fn on_date(ts: i64, f: impl FnOnce(NaiveDate) -> Option<i64>) -> i64 {
    utc(ts).and_then(|d| f(d.date_naive())).unwrap_or(0)
}

/// The first day of `date`'s quarter.
fn quarter_start(date: NaiveDate) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(date.year(), (date.month0() / 3) * 3 + 1, 1)
}

/// The last day of the month `months` months after `first` (a first of month).
fn month_end(first: NaiveDate, months: u32) -> Option<NaiveDate> {
    first.checked_add_months(Months::new(months))?.pred_opt()
}

/// `ts` formatted with strftime pattern `pattern` in zone `tz`; `""` for an invalid
/// pattern (chrono reports it as an error item) or a timestamp out of range.
fn format_in<Tz: TimeZone>(ts: i64, pattern: &str, tz: &Tz) -> String
where
    Tz::Offset: std::fmt::Display,
{
    let items: Vec<Item> = StrftimeItems::new(pattern).collect();
    if items.iter().any(|i| matches!(i, Item::Error)) {
        return String::new();
    }
    let Some(d) = utc(ts) else {
        return String::new();
    };
    let mut out = String::new();
    match write!(out, "{}", d.with_timezone(tz).format_with_items(items.into_iter())) {
        Ok(()) => out,
        Err(_) => String::new(),
    }
}

/// `格式化(ts, 模式)`: strftime in UTC.
pub fn format_utc(ts: i64, pattern: &str) -> String {
    format_in(ts, pattern, &Utc)
}

/// `格式化本地(ts, 模式)`: strftime in the local zone (`TZ`, else the system's).
pub fn format_local(ts: i64, pattern: &str) -> String {
    format_in(ts, pattern, &Local)
}

/// `解析(文本, 模式)`, the inverse of [`format_utc`]: the text read as a UTC date and
/// time; a pattern with a date but no time of day reads midnight; 0 when the text does
/// not match.
pub fn parse(text: &str, pattern: &str) -> i64 {
    if let Ok(d) = NaiveDateTime::parse_from_str(text, pattern) {
        return d.and_utc().timestamp();
    }
    NaiveDate::parse_from_str(text, pattern).map_or(0, midnight)
}

/// `从年月日时分秒(…)`: the UTC timestamp, 0 for an impossible date or time.
pub fn from_ymdhms(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> i64 {
    let small = |v: i64| u32::try_from(v).ok();
    (|| {
        let date = NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, small(mo)?, small(d)?)?;
        Some(date.and_hms_opt(small(h)?, small(mi)?, small(s)?)?.and_utc().timestamp())
    })()
    .unwrap_or(0)
}

/// `加月(ts, n)` (and `加年` with 12·n): calendar months, the day clamped to the end of a
/// shorter month (Jan 31 + 1 month = Feb 29 in a leap year); the time of day is kept.
pub fn add_months(ts: i64, months: i64) -> i64 {
    (|| {
        let d = utc(ts)?;
        let n = Months::new(u32::try_from(months.unsigned_abs()).ok()?);
        let moved = if months >= 0 { d.checked_add_months(n) } else { d.checked_sub_months(n) };
        Some(moved?.timestamp())
    })()
    .unwrap_or(0)
}

fn is_leap_year(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// `月天数(年, 月)`: 28–31, 0 for a month outside 1–12.
pub fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Is `ts` within [start(now), end(now)]?
fn in_current(ts: i64, start: extern "C" fn(i64) -> i64, end: extern "C" fn(i64) -> i64) -> i64 {
    let now = Utc::now().timestamp();
    (start(now) <= ts && ts <= end(now)) as i64
}

/// Park the calling green thread for `d` (a worker is never blocked).
fn sleep_for(d: Duration) {
    sched::sleep_for(d);
}

fn positive(n: i64) -> u64 {
    n.max(0) as u64
}

// ---- entry points ---------------------------------------------------------------------

macro_rules! text {
    ($p:expr) => {
        // SAFETY: forwarded from the entry point's contract.
        unsafe { str_as_str($p) }
    };
}

/// `现在()`: Unix seconds.
pub extern "C" fn qi_datetime_now() -> i64 {
    Utc::now().timestamp()
}

/// `现在毫秒()`, `当前毫秒()`.
pub extern "C" fn qi_datetime_now_millis() -> i64 {
    Utc::now().timestamp_millis()
}

/// `现在微秒()`.
pub extern "C" fn qi_datetime_now_micros() -> i64 {
    Utc::now().timestamp_micros()
}

/// `现在纳秒()`.
pub extern "C" fn qi_datetime_now_nanos() -> i64 {
    Utc::now().timestamp_nanos_opt().unwrap_or(0)
}

/// `本地时间()`: the current timestamp, read through the local clock. A Unix timestamp
/// is the same instant in every zone, so it equals `现在()`; the local zone shows in
/// `格式化本地`.
pub extern "C" fn qi_datetime_now_local() -> i64 {
    Local::now().timestamp()
}

/// `格式化(ts, 模式)`.
///
/// # Safety
/// `pattern` is null or a live string object.
pub unsafe extern "C" fn qi_datetime_format(ts: i64, pattern: *const Str) -> *mut Str {
    guard(|| new_str(&format_utc(ts, text!(pattern))))
}

/// `格式化本地(ts, 模式)`.
///
/// # Safety
/// `pattern` is null or a live string object.
pub unsafe extern "C" fn qi_datetime_format_local(ts: i64, pattern: *const Str) -> *mut Str {
    guard(|| new_str(&format_local(ts, text!(pattern))))
}

/// `解析(文本, 模式)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_datetime_parse(text: *const Str, pattern: *const Str) -> i64 {
    guard(|| parse(text!(text), text!(pattern)))
}

/// `年(ts)`.
pub extern "C" fn qi_datetime_year(ts: i64) -> i64 {
    utc(ts).map_or(0, |d| d.year() as i64)
}

/// `月(ts)`: 1–12.
pub extern "C" fn qi_datetime_month(ts: i64) -> i64 {
    component(ts, |d| d.month())
}

/// `日(ts)`: 1–31.
pub extern "C" fn qi_datetime_day(ts: i64) -> i64 {
    component(ts, |d| d.day())
}

/// `时(ts)`: 0–23.
pub extern "C" fn qi_datetime_hour(ts: i64) -> i64 {
    component(ts, |d| d.hour())
}

/// `分(ts)`: 0–59.
pub extern "C" fn qi_datetime_minute(ts: i64) -> i64 {
    component(ts, |d| d.minute())
}

/// `秒(ts)`: 0–59.
pub extern "C" fn qi_datetime_second(ts: i64) -> i64 {
    component(ts, |d| d.second())
}

/// `毫秒(毫秒时间戳)`: the millisecond within its second, 0–999 (also before 1970).
pub extern "C" fn qi_datetime_millisecond(millis: i64) -> i64 {
    millis.rem_euclid(1000)
}

/// `星期几(ts)`: Monday = 1 … Sunday = 7.
pub extern "C" fn qi_datetime_weekday(ts: i64) -> i64 {
    component(ts, |d| d.weekday().number_from_monday())
}

/// `季度(ts)`: 1–4.
pub extern "C" fn qi_datetime_quarter(ts: i64) -> i64 {
    component(ts, |d| d.month0() / 3 + 1)
}

/// `年的第几天(ts)`: 1–366.
pub extern "C" fn qi_datetime_day_of_year(ts: i64) -> i64 {
    component(ts, |d| d.ordinal())
}

/// `年的第几周(ts)`: the ISO 8601 week number, 1–53.
pub extern "C" fn qi_datetime_week_of_year(ts: i64) -> i64 {
    component(ts, |d| d.iso_week().week())
}

/// `加秒(ts, n)`.
pub extern "C" fn qi_datetime_add_seconds(ts: i64, n: i64) -> i64 {
    ts.wrapping_add(n)
}

/// `加分钟(ts, n)`.
pub extern "C" fn qi_datetime_add_minutes(ts: i64, n: i64) -> i64 {
    ts.wrapping_add(n.wrapping_mul(60))
}

/// `加小时(ts, n)`.
pub extern "C" fn qi_datetime_add_hours(ts: i64, n: i64) -> i64 {
    ts.wrapping_add(n.wrapping_mul(3600))
}

/// `加天(ts, n)`: n·86400 seconds (UTC has no daylight saving).
pub extern "C" fn qi_datetime_add_days(ts: i64, n: i64) -> i64 {
    ts.wrapping_add(n.wrapping_mul(DAY))
}

/// `加周(ts, n)`.
pub extern "C" fn qi_datetime_add_weeks(ts: i64, n: i64) -> i64 {
    ts.wrapping_add(n.wrapping_mul(7 * DAY))
}

/// `加月(ts, n)`: see [`add_months`].
pub extern "C" fn qi_datetime_add_months(ts: i64, n: i64) -> i64 {
    add_months(ts, n)
}

/// `加年(ts, n)`: 12·n calendar months (Feb 29 + 1 year = Feb 28).
pub extern "C" fn qi_datetime_add_years(ts: i64, n: i64) -> i64 {
    n.checked_mul(12).map_or(0, |m| add_months(ts, m))
}

/// `相差天数(a, b)`: whole days from b to a, truncated toward zero.
pub extern "C" fn qi_datetime_diff_days(a: i64, b: i64) -> i64 {
    a.wrapping_sub(b) / DAY
}

/// `相差小时(a, b)`.
pub extern "C" fn qi_datetime_diff_hours(a: i64, b: i64) -> i64 {
    a.wrapping_sub(b) / 3600
}

/// `相差分钟(a, b)`.
pub extern "C" fn qi_datetime_diff_minutes(a: i64, b: i64) -> i64 {
    a.wrapping_sub(b) / 60
}

/// `相差秒数(a, b)`.
pub extern "C" fn qi_datetime_diff_seconds(a: i64, b: i64) -> i64 {
    a.wrapping_sub(b)
}

/// `从年月日(年, 月, 日)`: midnight UTC; 0 for an impossible date.
pub extern "C" fn qi_datetime_from_ymd(y: i64, m: i64, d: i64) -> i64 {
    from_ymdhms(y, m, d, 0, 0, 0)
}

/// `从年月日时分秒(年, 月, 日, 时, 分, 秒)`: UTC; 0 for an impossible date or time.
pub extern "C" fn qi_datetime_from_ymdhms(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> i64 {
    from_ymdhms(y, mo, d, h, mi, s)
}

/// `是闰年(年)` → 1/0 (Gregorian).
pub extern "C" fn qi_datetime_is_leap_year(y: i64) -> i64 {
    is_leap_year(y) as i64
}

/// `月天数(年, 月)`.
pub extern "C" fn qi_datetime_days_in_month(y: i64, m: i64) -> i64 {
    days_in_month(y, m)
}

/// `当天开始(ts)`: 00:00:00 UTC of its day.
pub extern "C" fn qi_datetime_start_of_day(ts: i64) -> i64 {
    on_date(ts, |d| Some(midnight(d)))
}

/// `当天结束(ts)`: 23:59:59 UTC of its day.
pub extern "C" fn qi_datetime_end_of_day(ts: i64) -> i64 {
    on_date(ts, |d| Some(last_second(d)))
}

/// `本周开始(ts)`: Monday 00:00:00 of its (ISO) week.
pub extern "C" fn qi_datetime_start_of_week(ts: i64) -> i64 {
    on_date(ts, |d| Some(midnight(d.week(chrono::Weekday::Mon).first_day())))
}

/// `本周结束(ts)`: Sunday 23:59:59 of its week.
pub extern "C" fn qi_datetime_end_of_week(ts: i64) -> i64 {
    on_date(ts, |d| Some(last_second(d.week(chrono::Weekday::Mon).last_day())))
}

/// `本月开始(ts)`.
pub extern "C" fn qi_datetime_start_of_month(ts: i64) -> i64 {
    on_date(ts, |d| Some(midnight(d.with_day(1)?)))
}

/// `本月结束(ts)`: the last second of the month's last day.
pub extern "C" fn qi_datetime_end_of_month(ts: i64) -> i64 {
    on_date(ts, |d| Some(last_second(month_end(d.with_day(1)?, 1)?)))
}

/// `本季度开始(ts)`: January, April, July or October 1st.
pub extern "C" fn qi_datetime_start_of_quarter(ts: i64) -> i64 {
    on_date(ts, |d| Some(midnight(quarter_start(d)?)))
}

/// `本季度结束(ts)`: the last second of the quarter.
pub extern "C" fn qi_datetime_end_of_quarter(ts: i64) -> i64 {
    on_date(ts, |d| Some(last_second(month_end(quarter_start(d)?, 3)?)))
}

/// `本年开始(ts)`.
pub extern "C" fn qi_datetime_start_of_year(ts: i64) -> i64 {
    on_date(ts, |d| Some(midnight(d.with_ordinal(1)?)))
}

/// `本年结束(ts)`: December 31st, 23:59:59.
pub extern "C" fn qi_datetime_end_of_year(ts: i64) -> i64 {
    on_date(ts, |d| Some(last_second(NaiveDate::from_ymd_opt(d.year(), 12, 31)?)))
}

/// `在范围内(ts, 起, 止)` → 1/0, both ends included.
pub extern "C" fn qi_datetime_is_between(ts: i64, start: i64, end: i64) -> i64 {
    (start <= ts && ts <= end) as i64
}

/// `是今天(ts)` → 1/0 (the current UTC day).
pub extern "C" fn qi_datetime_is_today(ts: i64) -> i64 {
    in_current(ts, qi_datetime_start_of_day, qi_datetime_end_of_day)
}

/// `是本周(ts)` → 1/0.
pub extern "C" fn qi_datetime_is_this_week(ts: i64) -> i64 {
    in_current(ts, qi_datetime_start_of_week, qi_datetime_end_of_week)
}

/// `是本月(ts)` → 1/0.
pub extern "C" fn qi_datetime_is_this_month(ts: i64) -> i64 {
    in_current(ts, qi_datetime_start_of_month, qi_datetime_end_of_month)
}

/// `是本年(ts)` → 1/0.
pub extern "C" fn qi_datetime_is_this_year(ts: i64) -> i64 {
    in_current(ts, qi_datetime_start_of_year, qi_datetime_end_of_year)
}

/// `是周末(ts)` → 1 on Saturday and Sunday.
pub extern "C" fn qi_datetime_is_weekend(ts: i64) -> i64 {
    (qi_datetime_weekday(ts) >= 6) as i64
}

/// `是工作日(ts)` → 1 Monday to Friday.
pub extern "C" fn qi_datetime_is_weekday(ts: i64) -> i64 {
    (1..=5).contains(&qi_datetime_weekday(ts)) as i64
}

/// `秒转毫秒(n)`.
pub extern "C" fn qi_datetime_seconds_to_millis(n: i64) -> i64 {
    n.wrapping_mul(1000)
}

/// `毫秒转秒(n)`, truncated toward zero.
pub extern "C" fn qi_datetime_millis_to_seconds(n: i64) -> i64 {
    n / 1000
}

/// `秒转微秒(n)`.
pub extern "C" fn qi_datetime_seconds_to_micros(n: i64) -> i64 {
    n.wrapping_mul(1_000_000)
}

/// `微秒转秒(n)`, truncated toward zero.
pub extern "C" fn qi_datetime_micros_to_seconds(n: i64) -> i64 {
    n / 1_000_000
}

/// `睡眠秒(n)`: parks the green thread (n ≤ 0 only yields).
pub extern "C" fn qi_datetime_sleep_seconds(n: i64) {
    guard(|| sleep_for(Duration::from_secs(positive(n))))
}

/// `睡眠毫秒(n)`.
pub extern "C" fn qi_datetime_sleep_millis(n: i64) {
    guard(|| sleep_for(Duration::from_millis(positive(n))))
}

/// `睡眠微秒(n)`.
pub extern "C" fn qi_datetime_sleep_micros(n: i64) {
    guard(|| sleep_for(Duration::from_micros(positive(n))))
}

/// `异步睡眠毫秒(n)`: the same sleep (§G.4: "a plain sleep too").
pub extern "C" fn qi_datetime_async_sleep_millis(n: i64) {
    guard(|| sleep_for(Duration::from_millis(positive(n))))
}

/// `异步睡眠未来(n)` → 0, after the same sleep. Its registered result is an `整数`, not a
/// `未来`, so there is nothing to `等待`: the call completes the sleep itself.
pub extern "C" fn qi_datetime_async_sleep_future(n: i64) -> i64 {
    guard(|| sleep_for(Duration::from_millis(positive(n))));
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_are_utc() {
        let t = from_ymdhms(2024, 2, 29, 13, 5, 0);
        assert_eq!(format_utc(t, "%Y-%m-%d %H:%M"), "2024-02-29 13:05");
        assert_eq!(qi_datetime_weekday(t), 4);
        assert_eq!(qi_datetime_quarter(t), 1);
        assert_eq!(qi_datetime_day_of_year(t), 60);
        assert_eq!(parse("2024-02-29 13:05", "%Y-%m-%d %H:%M"), t);
        assert_eq!(parse("2024-02-29", "%Y-%m-%d"), qi_datetime_start_of_day(t));
    }

    #[test]
    fn failures_are_values() {
        assert_eq!(from_ymdhms(2023, 2, 29, 0, 0, 0), 0);
        assert_eq!(from_ymdhms(2024, -1, 1, 0, 0, 0), 0);
        assert_eq!(parse("not a date", "%Y-%m-%d"), 0);
        assert_eq!(format_utc(0, "%Q"), "");
        assert_eq!(format_utc(i64::MAX, "%Y"), "");
        assert_eq!(qi_datetime_year(i64::MAX), 0);
        assert_eq!(qi_datetime_millisecond(-1), 999);
    }

    #[test]
    fn calendar_months_clamp_the_day() {
        let jan31 = from_ymdhms(2024, 1, 31, 8, 0, 0);
        assert_eq!(format_utc(add_months(jan31, 1), "%F %T"), "2024-02-29 08:00:00");
        assert_eq!(format_utc(add_months(jan31, -2), "%F"), "2023-11-30");
        let end = qi_datetime_end_of_quarter(jan31);
        assert_eq!(format_utc(end, "%F %T"), "2024-03-31 23:59:59");
    }
}
