//! `QI_LOG` / `qi run --log`: the engine's `tracing` events (tier-ups …) on stderr.
//! Nothing is set up unless asked for, so a plain run pays nothing at start-up.

use qi_syntax::Lang;

/// Start writing events that `directives` selects (`debug`, `qi::tier=debug`, … as
/// `tracing_subscriber::EnvFilter` reads them): from `--log`, else `QI_LOG`. `Err` is the
/// message for bad directives.
pub fn init(flag: Option<&str>, lang: Lang) -> Result<(), String> {
    let from_env = std::env::var("QI_LOG").ok();
    let (source, directives) = match (flag, from_env.as_deref()) {
        (Some(d), _) => ("--log", d),
        (None, Some(d)) if !d.is_empty() => ("QI_LOG", d),
        _ => return Ok(()),
    };
    let filter = tracing_subscriber::EnvFilter::try_new(directives).map_err(|e| match lang {
        Lang::En => format!("qi: {source} {directives}: not a log level or filter ({e})"),
        Lang::Zh => format!("qi: {source} {directives}：不是日志级别或过滤规则（{e}）"),
    })?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_timer(tracing_subscriber::fmt::time::uptime())
        .with_ansi(false)
        .init();
    Ok(())
}
