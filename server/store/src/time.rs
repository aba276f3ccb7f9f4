//! Timestamps as the drafts and Boternity's tables store them.

/// Current UTC time as RFC 3339 with microseconds (`2026-02-15T09:30:00.000000Z`): fixed width, so
/// timestamps sort as strings.
pub fn now_rfc3339() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format_unix_micros(now.as_secs() as i64, now.subsec_micros())
}

fn format_unix_micros(secs: i64, micros: u32) -> String {
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{micros:06}Z",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    )
}

/// The time as Boternity writes it (chrono's `to_rfc3339`: `+00:00`, not `Z`).
pub fn now_boternity() -> String {
    let z = now_rfc3339();
    match z.strip_suffix('Z') {
        Some(base) => format!("{base}+00:00"),
        None => z,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formatting() {
        assert_eq!(format_unix_micros(0, 0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(
            format_unix_micros(1_771_147_800, 42),
            "2026-02-15T09:30:00.000042Z"
        );
        assert_eq!(
            format_unix_micros(951_782_400, 0),
            "2000-02-29T00:00:00.000000Z"
        );
        assert!(now_rfc3339().starts_with("20"));
    }
}
