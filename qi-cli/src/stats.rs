//! `qi run --stats`: at exit, one line on stderr with what the engine did and how soon
//! the program first printed.

use qi_syntax::Lang;
use std::time::Duration;

pub fn print(lang: Lang) {
    let s = qi_jit::stats::snapshot();
    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1e3);
    let first = qi_rt::timing::time_to_first_output();
    let total = qi_rt::timing::since_start().map_or_else(|| "?".into(), ms);
    let line = match lang {
        Lang::En => format!(
            "qi stats: {} functions interpreted, {} compiled ({} of machine code) in {}; \
             first output at {}; total {}",
            s.interpreted,
            s.compiled,
            bytes(s.code_bytes),
            ms(s.compile_time),
            first.map_or_else(|| "none".into(), ms),
            total
        ),
        Lang::Zh => format!(
            "qi 统计：解释执行的函数 {} 个，编译的函数 {} 个（机器码 {}），编译用时 {}；\
             首次输出于 {}；总用时 {}",
            s.interpreted,
            s.compiled,
            bytes(s.code_bytes),
            ms(s.compile_time),
            first.map_or_else(|| "无".into(), ms),
            total
        ),
    };
    qi_rt::output::write_stderr_line(&line);
    let c = qi_rt::cycles::totals();
    if c.collections > 0 {
        let line = match lang {
            Lang::En => format!(
                "qi cycles: {} collections freed {} objects (went through {}); pauses {} in \
                 all, longest {}",
                c.collections,
                c.freed,
                c.traversed,
                ms(c.total_pause),
                ms(c.longest_pause)
            ),
            Lang::Zh => format!(
                "qi 环收集：{} 次，回收对象 {} 个（遍历 {} 个）；停顿共 {}，最长 {}",
                c.collections,
                c.freed,
                c.traversed,
                ms(c.total_pause),
                ms(c.longest_pause)
            ),
        };
        qi_rt::output::write_stderr_line(&line);
    }
}

fn bytes(n: u64) -> String {
    if n < 10 * 1024 {
        format!("{n} B")
    } else {
        format!("{:.1} KiB", n as f64 / 1024.0)
    }
}
