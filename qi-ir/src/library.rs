//! The standard library's one declarative table (builtins.md §G.3).
//!
//! One row per library function: the module it belongs to, its Qi name, parameter and
//! result types, whether it may park, and the runtime entry point implementing
//! it. Every stage reads these rows and nothing else: the checker's name lookup
//! (`check/library.rs`), the IR (`Builtin::Library(LibId)`), the JIT's symbol binding
//! (`qi-jit/src/runtime_calls.rs`), the signature test against `qi-rt`'s entry points, and
//! the interpreter tier to come. Adding a library function is its row here, its Rust
//! implementation in `qi-rt/src/library/<module>.rs` (listed in `qi-rt/src/symbols.rs`) and a
//! conformance program. The rows of builtins.md §G.3 never raise (§G.1): they return what
//! §G.4 gives for a failure. Only the extensions marked [`LibFn::raises`] (GBK text) throw.

use crate::ir::{FnType, Type};

/// A module: the keys it is reached by (`文本` is `字符串`'s second key, builtins.md §G.3).
#[derive(Debug, PartialEq, Eq)]
pub struct Module {
    pub keys: &'static [&'static str],
}

impl Module {
    /// The name diagnostics use: the first key.
    pub fn name(&self) -> &'static str {
        self.keys[0]
    }
}

/// The type of a parameter or result, as the runtime entry point passes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LibType {
    /// `空` (results only).
    Void,
    /// `整数`: also handles and 1/0 truth values (§G.1).
    Int,
    Float,
    /// A `字符串` object: borrowed as a parameter, a fresh (owned) string as a result.
    Str,
    /// A `数组<T>` object (`向量`'s `数组<浮点数>`): borrowed as a parameter, a fresh
    /// (owned) array as a result.
    Array(&'static LibType),
    /// A function value `函数(): 空` (a closure object, borrowed; `同步.启动并等待协程`
    /// runs it on a new green thread). builtins.md §G.3 writes it `指针/整数`.
    Action,
}

impl LibType {
    pub fn ty(self) -> Type {
        match self {
            LibType::Void => Type::Void,
            LibType::Int => Type::Int,
            LibType::Float => Type::Float,
            LibType::Str => Type::Str,
            LibType::Array(elem) => Type::Array(Box::new(elem.ty())),
            LibType::Action => Type::Fn(Box::new(FnType { params: Vec::new(), ret: Type::Void })),
        }
    }
}

/// One library function.
#[derive(Debug)]
pub struct LibFn {
    pub module: &'static Module,
    pub name: &'static str,
    pub params: &'static [LibType],
    pub ret: LibType,
    /// The entry point may park the green thread (an interpreter must call it on one).
    pub parks: bool,
    /// The entry point starts a green thread running its function-value argument (so
    /// objects the program holds can become reachable from several threads).
    pub spawns: bool,
    /// The entry point may raise a catchable exception (GBK text a character or byte of
    /// which has no GBK form): it returns `qi_rt::green::Raising` and takes the call's
    /// file and line after its parameters, so its call ends a block with an unwind edge.
    /// Only `整数`, `字符串` and `数组` results (one 64-bit register beside the flag).
    pub raises: bool,
    /// The entry point takes the call's location as three trailing `整数` arguments the
    /// program does not write: file index, line and column (1-based, in characters). The
    /// checker appends them; `测试`'s assertions use them to say where they failed.
    pub located: bool,
    /// The `qi-rt` entry point.
    pub symbol: &'static str,
}

/// Index of a row of [`LIBRARY`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LibId(pub u32);

impl LibId {
    pub fn row(self) -> &'static LibFn {
        &LIBRARY[self.0 as usize]
    }
}

pub static MATH: Module = Module { keys: &["数学"] };
pub static SYNC: Module = Module { keys: &["同步"] };
pub static IO: Module = Module { keys: &["输入输出"] };
pub static TEXT: Module = Module { keys: &["字符串", "文本"] };
pub static OS: Module = Module { keys: &["操作系统", "OS"] };
pub static PATH: Module = Module { keys: &["路径"] };
pub static ENV: Module = Module { keys: &["环境"] };
pub static PROCESS: Module = Module { keys: &["进程"] };
pub static TIME: Module = Module { keys: &["时间", "日期"] };
pub static RANDOM: Module = Module { keys: &["随机"] };
pub static TEST: Module = Module { keys: &["测试"] };
pub static VECTOR: Module = Module { keys: &["向量"] };
pub static LIST: Module = Module { keys: &["列表"] };
pub static JSON: Module = Module { keys: &["JSON"] };
pub static HASHMAP: Module = Module { keys: &["哈希表"] };
pub static REGEX: Module = Module { keys: &["正则"] };
pub static CRYPTO: Module = Module { keys: &["加密"] };
pub static COMPRESS: Module = Module { keys: &["压缩"] };
pub static CONFIG: Module = Module { keys: &["配置"] };
pub static SUBPROCESS: Module = Module { keys: &["子进程"] };
pub static REFLECT: Module = Module { keys: &["反射"] };
pub static MEMORY: Module = Module { keys: &["内存"] };

/// Every module, in the order diagnostics list them.
pub static MODULES: &[&Module] = &[
    &IO,
    &TEXT,
    &MATH,
    &SYNC,
    &OS,
    &PATH,
    &ENV,
    &PROCESS,
    &TIME,
    &RANDOM,
    &TEST,
    &VECTOR,
    &LIST,
    &JSON,
    &HASHMAP,
    &REGEX,
    &CRYPTO,
    &COMPRESS,
    &CONFIG,
    &SUBPROCESS,
    &REFLECT,
    &MEMORY,
];

/// Modules of builtins.md §G.3 this runtime does not provide yet: reported as "暂不支持"
/// rather than as unknown.
pub const MODULES_LATER: &[&str] = &[];

/// Functions of provided modules not implemented yet: (module, name), "暂不支持".
pub const FUNCTIONS_LATER: &[(&str, &str)] = &[];

use LibType::{Float as F, Int as I, Str as S, Void as V};

/// `数组<浮点数>`.
const FA: LibType = LibType::Array(&LibType::Float);

/// `数组<字符串>`.
const SA: LibType = LibType::Array(&LibType::Str);

/// `数组<整数>`.
const IA: LibType = LibType::Array(&LibType::Int);

const fn row(
    module: &'static Module,
    name: &'static str,
    params: &'static [LibType],
    ret: LibType,
    symbol: &'static str,
) -> LibFn {
    LibFn {
        module,
        name,
        params,
        ret,
        parks: false,
        spawns: false,
        raises: false,
        located: false,
        symbol,
    }
}

impl LibFn {
    /// The entry point may park the calling green thread (see [`LibFn::parks`]).
    const fn parking(self) -> LibFn {
        LibFn { parks: true, ..self }
    }

    /// The entry point starts a green thread (see [`LibFn::spawns`]).
    const fn spawning(self) -> LibFn {
        LibFn { spawns: true, ..self }
    }

    /// The entry point may raise (see [`LibFn::raises`]).
    const fn raising(self) -> LibFn {
        LibFn { raises: true, ..self }
    }

    /// The entry point takes the call's location (see [`LibFn::located`]).
    const fn located(self) -> LibFn {
        LibFn { located: true, ..self }
    }
}

/// The three `整数` arguments a [`LibFn::located`] entry point takes after its own.
pub const LOCATION_PARAMS: [LibType; 3] = [LibType::Int, LibType::Int, LibType::Int];

/// The library.
pub static LIBRARY: &[LibFn] = &[
    // 输入输出: 1 success / 0 failure (builtins.md §G.4).
    row(&IO, "打印行", &[S], I, "qi_io_println"),
    row(&IO, "打印", &[S], I, "qi_io_print"),
    row(&IO, "读取文件", &[S], S, "qi_io_read_file"),
    row(&IO, "文件存在", &[S], I, "qi_io_file_exists"),
    row(&IO, "写入文件", &[S, S], I, "qi_io_write_file"),
    row(&IO, "追加文件", &[S, S], I, "qi_io_append_file"),
    row(&IO, "删除文件", &[S], I, "qi_io_delete_file"),
    row(&IO, "文件大小", &[S], I, "qi_io_file_size"),
    row(&IO, "重命名", &[S, S], I, "qi_io_rename"),
    row(&IO, "创建文件", &[S], I, "qi_io_create_file"),
    row(&IO, "创建符号链接", &[S, S], I, "qi_io_symlink"),
    row(&IO, "创建目录", &[S], I, "qi_io_create_dir"),
    row(&IO, "删除目录", &[S], I, "qi_io_delete_dir"),
    // 字符串 / 文本: byte- and char-indexed as builtins.md §G.4 says.
    row(&TEXT, "字节长度", &[S], I, "qi_string_byte_length"),
    row(&TEXT, "字符子串", &[S, I, I], S, "qi_string_char_substring"),
    row(&TEXT, "字符查找", &[S, S], I, "qi_string_char_find"),
    row(&TEXT, "字符取", &[S, I], S, "qi_string_char_at"),
    row(&TEXT, "字符数量", &[S], I, "qi_string_char_count"),
    row(&TEXT, "字符从位置", &[S, I], S, "qi_string_char_from"),
    row(&TEXT, "等于", &[S, S], I, "qi_string_equals"),
    row(&TEXT, "子串", &[S, I, I], S, "qi_string_substring"),
    row(&TEXT, "包含", &[S, S], I, "qi_string_contains"),
    row(&TEXT, "查找", &[S, S], I, "qi_string_find"),
    row(&TEXT, "查找从位置", &[S, S, I], I, "qi_string_find_from"),
    row(&TEXT, "子串从位置", &[S, I], S, "qi_string_substring_from"),
    row(&TEXT, "公共前缀", &[S, S], I, "qi_string_common_prefix"),
    row(&TEXT, "公共后缀", &[S, S, I], I, "qi_string_common_suffix"),
    row(&TEXT, "替换", &[S, S, S], S, "qi_string_replace"),
    row(&TEXT, "去空白", &[S], S, "qi_string_trim"),
    row(&TEXT, "转大写", &[S], S, "qi_string_to_upper"),
    row(&TEXT, "转小写", &[S], S, "qi_string_to_lower"),
    row(&TEXT, "开始于", &[S, S], I, "qi_string_starts_with"),
    row(&TEXT, "结束于", &[S, S], I, "qi_string_ends_with"),
    // A string-list handle of the 列表 module, not an array (builtins.md §G.4).
    row(&TEXT, "分割", &[S, S], I, "qi_string_split"),
    // 数学: all parameters and results 浮点数 (builtins.md §G.4).
    row(&MATH, "开方", &[F], F, "qi_math_sqrt"),
    row(&MATH, "绝对值", &[F], F, "qi_math_abs"),
    row(&MATH, "向下取整", &[F], F, "qi_math_floor"),
    row(&MATH, "向上取整", &[F], F, "qi_math_ceil"),
    row(&MATH, "四舍五入", &[F], F, "qi_math_round"),
    row(&MATH, "正弦", &[F], F, "qi_math_sin"),
    row(&MATH, "余弦", &[F], F, "qi_math_cos"),
    row(&MATH, "正切", &[F], F, "qi_math_tan"),
    row(&MATH, "反正弦", &[F], F, "qi_math_asin"),
    row(&MATH, "反余弦", &[F], F, "qi_math_acos"),
    row(&MATH, "反正切", &[F], F, "qi_math_atan"),
    row(&MATH, "双曲正切", &[F], F, "qi_math_tanh"),
    row(&MATH, "指数", &[F], F, "qi_math_exp"),
    row(&MATH, "自然对数", &[F], F, "qi_math_ln"),
    row(&MATH, "对数10", &[F], F, "qi_math_log10"),
    row(&MATH, "对数2", &[F], F, "qi_math_log2"),
    row(&MATH, "立方根", &[F], F, "qi_math_cbrt"),
    row(&MATH, "幂", &[F, F], F, "qi_math_pow"),
    row(&MATH, "最大", &[F, F], F, "qi_math_max"),
    row(&MATH, "最小", &[F, F], F, "qi_math_min"),
    row(&MATH, "圆周率", &[], F, "qi_math_pi"),
    row(&MATH, "自然常数", &[], F, "qi_math_e"),
    // 同步: real mutexes (shared with the builtin `加锁` family) and atomics; a handle
    // that names nothing gives 0 and does nothing (builtins.md §G.1/§G.4).
    row(&SYNC, "创建锁", &[], I, "qi_sync_mutex_create"),
    row(&SYNC, "加锁", &[I], I, "qi_sync_mutex_lock").parking(),
    row(&SYNC, "解锁", &[I], I, "qi_sync_mutex_unlock"),
    row(&SYNC, "尝试加锁", &[I], I, "qi_sync_mutex_trylock"),
    row(&SYNC, "销毁锁", &[I], I, "qi_sync_mutex_destroy"),
    row(&SYNC, "创建原子", &[I], I, "qi_sync_atomic_create"),
    row(&SYNC, "读原子", &[I], I, "qi_sync_atomic_load"),
    row(&SYNC, "写原子", &[I, I], I, "qi_sync_atomic_store"),
    row(&SYNC, "原子加", &[I, I], I, "qi_sync_atomic_add"),
    row(&SYNC, "原子比较交换", &[I, I, I], I, "qi_sync_atomic_cas"),
    row(&SYNC, "销毁原子", &[I], I, "qi_sync_atomic_destroy"),
    // Goroutine inspection: a thread started with a join handle keeps its uncaught
    // exception there instead of ending the program (docs/CONCURRENCY.md).
    row(&SYNC, "启动并等待协程", &[LibType::Action], I, "qi_sync_goroutine_spawn").spawning(),
    row(&SYNC, "等待协程", &[I], I, "qi_sync_goroutine_join").parking(),
    row(&SYNC, "协程有异常", &[I], I, "qi_sync_goroutine_has_exception"),
    row(&SYNC, "获取协程异常句柄", &[I], S, "qi_sync_goroutine_take_exception"),
    row(&SYNC, "协程异常数量", &[], I, "qi_sync_goroutine_exception_count"),
    row(&SYNC, "获取协程异常", &[], S, "qi_sync_goroutine_take_oldest_exception"),
    // 操作系统 / OS: failures are "" or -1 (builtins.md §G.4; docs/LANGUAGE-NOTES.md).
    row(&OS, "获取环境变量", &[S], S, "qi_os_getenv"),
    row(&OS, "设置环境变量", &[S, S], I, "qi_os_setenv"),
    row(&OS, "当前目录", &[], S, "qi_os_getcwd"),
    row(&OS, "加载环境文件", &[S], I, "qi_os_load_env"),
    row(&OS, "删除环境变量", &[S], I, "qi_os_unsetenv"),
    row(&OS, "切换目录", &[S], I, "qi_os_chdir"),
    row(&OS, "用户主目录", &[], S, "qi_os_homedir"),
    row(&OS, "临时目录", &[], S, "qi_os_tempdir"),
    row(&OS, "操作系统类型", &[], S, "qi_os_type"),
    row(&OS, "系统架构", &[], S, "qi_os_arch"),
    row(&OS, "用户名", &[], S, "qi_os_username"),
    row(&OS, "系统家族", &[], S, "qi_os_family"),
    row(&OS, "主机名", &[], S, "qi_os_hostname"),
    row(&OS, "CPU核心数", &[], I, "qi_os_cpu_count"),
    row(&OS, "进程ID", &[], I, "qi_os_getpid"),
    row(&OS, "列出目录", &[S], S, "qi_os_list_dir"),
    row(&OS, "所有环境变量", &[], S, "qi_os_environ"),
    row(&OS, "退出程序", &[I], V, "qi_os_exit"),
    row(&OS, "是否为目录", &[S], I, "qi_os_is_dir"),
    row(&OS, "是否为文件", &[S], I, "qi_os_is_file"),
    row(&OS, "释放字符串", &[S], V, "qi_os_free_string"),
    // 路径: strings "" when not applicable, truth values 1/0.
    row(&PATH, "连接", &[S, S], S, "qi_path_join"),
    row(&PATH, "文件名", &[S], S, "qi_path_filename"),
    row(&PATH, "父目录", &[S], S, "qi_path_parent"),
    row(&PATH, "扩展名", &[S], S, "qi_path_extension"),
    row(&PATH, "存在", &[S], I, "qi_path_exists"),
    row(&PATH, "是目录", &[S], I, "qi_path_is_dir"),
    row(&PATH, "绝对路径", &[S], S, "qi_path_absolute"),
    row(&PATH, "是文件", &[S], I, "qi_path_is_file"),
    // 环境: 设置 / 删除 / 改变目录 give 0 or -1, as the reference implementation does.
    row(&ENV, "获取", &[S], S, "qi_env_get"),
    row(&ENV, "设置", &[S, S], I, "qi_env_set"),
    row(&ENV, "删除", &[S], I, "qi_env_remove"),
    row(&ENV, "当前目录", &[], S, "qi_env_current_dir"),
    row(&ENV, "主目录", &[], S, "qi_env_home_dir"),
    row(&ENV, "改变目录", &[S], I, "qi_env_set_current_dir"),
    row(&ENV, "全部", &[], S, "qi_env_all"),
    // 进程: 执行 gives a JSON object text (status, stdout, stderr).
    row(&PROCESS, "执行", &[S, S], S, "qi_process_execute"),
    row(&PROCESS, "当前ID", &[], I, "qi_process_current_pid"),
    row(&PROCESS, "退出", &[I], V, "qi_process_exit"),
    // 时间 / 日期: Unix seconds, UTC components (builtins.md §G.4); sleeps park the green
    // thread only.
    row(&TIME, "现在", &[], I, "qi_datetime_now"),
    row(&TIME, "现在毫秒", &[], I, "qi_datetime_now_millis"),
    row(&TIME, "当前毫秒", &[], I, "qi_datetime_now_millis"),
    row(&TIME, "现在微秒", &[], I, "qi_datetime_now_micros"),
    row(&TIME, "现在纳秒", &[], I, "qi_datetime_now_nanos"),
    row(&TIME, "本地时间", &[], I, "qi_datetime_now_local"),
    row(&TIME, "格式化", &[I, S], S, "qi_datetime_format"),
    row(&TIME, "格式化本地", &[I, S], S, "qi_datetime_format_local"),
    row(&TIME, "解析", &[S, S], I, "qi_datetime_parse"),
    row(&TIME, "年", &[I], I, "qi_datetime_year"),
    row(&TIME, "月", &[I], I, "qi_datetime_month"),
    row(&TIME, "日", &[I], I, "qi_datetime_day"),
    row(&TIME, "时", &[I], I, "qi_datetime_hour"),
    row(&TIME, "分", &[I], I, "qi_datetime_minute"),
    row(&TIME, "秒", &[I], I, "qi_datetime_second"),
    row(&TIME, "毫秒", &[I], I, "qi_datetime_millisecond"),
    row(&TIME, "星期几", &[I], I, "qi_datetime_weekday"),
    row(&TIME, "季度", &[I], I, "qi_datetime_quarter"),
    row(&TIME, "年的第几天", &[I], I, "qi_datetime_day_of_year"),
    row(&TIME, "年的第几周", &[I], I, "qi_datetime_week_of_year"),
    row(&TIME, "加秒", &[I, I], I, "qi_datetime_add_seconds"),
    row(&TIME, "加分钟", &[I, I], I, "qi_datetime_add_minutes"),
    row(&TIME, "加小时", &[I, I], I, "qi_datetime_add_hours"),
    row(&TIME, "加天", &[I, I], I, "qi_datetime_add_days"),
    row(&TIME, "加周", &[I, I], I, "qi_datetime_add_weeks"),
    row(&TIME, "加月", &[I, I], I, "qi_datetime_add_months"),
    row(&TIME, "加年", &[I, I], I, "qi_datetime_add_years"),
    row(&TIME, "相差天数", &[I, I], I, "qi_datetime_diff_days"),
    row(&TIME, "相差小时", &[I, I], I, "qi_datetime_diff_hours"),
    row(&TIME, "相差分钟", &[I, I], I, "qi_datetime_diff_minutes"),
    row(&TIME, "相差秒数", &[I, I], I, "qi_datetime_diff_seconds"),
    row(&TIME, "从年月日", &[I, I, I], I, "qi_datetime_from_ymd"),
    row(&TIME, "从年月日时分秒", &[I, I, I, I, I, I], I, "qi_datetime_from_ymdhms"),
    row(&TIME, "是闰年", &[I], I, "qi_datetime_is_leap_year"),
    row(&TIME, "月天数", &[I, I], I, "qi_datetime_days_in_month"),
    row(&TIME, "当天开始", &[I], I, "qi_datetime_start_of_day"),
    row(&TIME, "当天结束", &[I], I, "qi_datetime_end_of_day"),
    row(&TIME, "本周开始", &[I], I, "qi_datetime_start_of_week"),
    row(&TIME, "本周结束", &[I], I, "qi_datetime_end_of_week"),
    row(&TIME, "本月开始", &[I], I, "qi_datetime_start_of_month"),
    row(&TIME, "本月结束", &[I], I, "qi_datetime_end_of_month"),
    row(&TIME, "本季度开始", &[I], I, "qi_datetime_start_of_quarter"),
    row(&TIME, "本季度结束", &[I], I, "qi_datetime_end_of_quarter"),
    row(&TIME, "本年开始", &[I], I, "qi_datetime_start_of_year"),
    row(&TIME, "本年结束", &[I], I, "qi_datetime_end_of_year"),
    row(&TIME, "在范围内", &[I, I, I], I, "qi_datetime_is_between"),
    row(&TIME, "是今天", &[I], I, "qi_datetime_is_today"),
    row(&TIME, "是本周", &[I], I, "qi_datetime_is_this_week"),
    row(&TIME, "是本月", &[I], I, "qi_datetime_is_this_month"),
    row(&TIME, "是本年", &[I], I, "qi_datetime_is_this_year"),
    row(&TIME, "是周末", &[I], I, "qi_datetime_is_weekend"),
    row(&TIME, "是工作日", &[I], I, "qi_datetime_is_weekday"),
    row(&TIME, "秒转毫秒", &[I], I, "qi_datetime_seconds_to_millis"),
    row(&TIME, "毫秒转秒", &[I], I, "qi_datetime_millis_to_seconds"),
    row(&TIME, "秒转微秒", &[I], I, "qi_datetime_seconds_to_micros"),
    row(&TIME, "微秒转秒", &[I], I, "qi_datetime_micros_to_seconds"),
    row(&TIME, "睡眠秒", &[I], V, "qi_datetime_sleep_seconds").parking(),
    row(&TIME, "睡眠毫秒", &[I], V, "qi_datetime_sleep_millis").parking(),
    row(&TIME, "睡眠微秒", &[I], V, "qi_datetime_sleep_micros").parking(),
    row(&TIME, "异步睡眠毫秒", &[I], V, "qi_datetime_async_sleep_millis").parking(),
    row(&TIME, "异步睡眠未来", &[I], I, "qi_datetime_async_sleep_future").parking(),
    // 随机: uniform, from the thread's generator seeded by the OS (no seed function).
    row(&RANDOM, "生成整数", &[I, I], I, "qi_random_int"),
    row(&RANDOM, "生成浮点", &[F, F], F, "qi_random_float"),
    row(&RANDOM, "生成布尔", &[], I, "qi_random_bool"),
    row(&RANDOM, "生成字符串", &[I], S, "qi_random_string"),
    row(&RANDOM, "UUID", &[], S, "qi_random_uuid"),
    // 测试: assertions → 1/0, failures on stderr; they never abort. They know where they
    // are called, for `qi test` (docs/TESTING.md).
    row(&TEST, "测试通过", &[S], V, "qi_test_pass"),
    row(&TEST, "测试失败", &[S, S], V, "qi_test_fail"),
    row(&TEST, "断言相等_整数", &[I, I, S], I, "qi_test_assert_eq_int").located(),
    row(&TEST, "断言相等_浮点", &[F, F, S], I, "qi_test_assert_eq_float").located(),
    row(&TEST, "断言相等_字符串", &[S, S, S], I, "qi_test_assert_eq_string").located(),
    row(&TEST, "断言真", &[I, S], I, "qi_test_assert_true").located(),
    row(&TEST, "断言假", &[I, S], I, "qi_test_assert_false").located(),
    row(&TEST, "断言不等_整数", &[I, I, S], I, "qi_test_assert_ne_int").located(),
    // 向量: over 数组<浮点数>; results are fresh arrays.
    row(&VECTOR, "点积", &[FA, FA], F, "qi_vector_dot"),
    row(&VECTOR, "长度", &[FA], F, "qi_vector_magnitude"),
    row(&VECTOR, "余弦相似度", &[FA, FA], F, "qi_vector_cosine_similarity"),
    row(&VECTOR, "加", &[FA, FA], FA, "qi_vector_add"),
    row(&VECTOR, "归一化", &[FA], FA, "qi_vector_normalize"),
    row(&VECTOR, "数乘", &[FA, F], FA, "qi_vector_scale"),
    // 列表: typed lists behind handles; a handle naming no list of the kind gives
    // 0 / 0.0 / "" and does nothing, mutators give 1/0 (builtins.md §G.1/§G.4).
    row(&LIST, "创建整数列表", &[], I, "qi_list_int_create"),
    row(&LIST, "添加整数", &[I, I], I, "qi_list_int_push"),
    row(&LIST, "获取整数", &[I, I], I, "qi_list_int_get"),
    row(&LIST, "设置整数", &[I, I, I], I, "qi_list_int_set"),
    row(&LIST, "整数列表大小", &[I], I, "qi_list_int_size"),
    row(&LIST, "弹出整数", &[I], I, "qi_list_int_pop"),
    row(&LIST, "清空整数列表", &[I], I, "qi_list_int_clear"),
    row(&LIST, "删除整数元素", &[I, I], I, "qi_list_int_remove"),
    row(&LIST, "插入整数", &[I, I, I], I, "qi_list_int_insert"),
    row(&LIST, "包含整数", &[I, I], I, "qi_list_int_contains"),
    row(&LIST, "查找整数索引", &[I, I], I, "qi_list_int_index_of"),
    row(&LIST, "创建浮点列表", &[], I, "qi_list_float_create"),
    row(&LIST, "添加浮点数", &[I, F], I, "qi_list_float_push"),
    row(&LIST, "获取浮点数", &[I, I], F, "qi_list_float_get"),
    row(&LIST, "浮点列表大小", &[I], I, "qi_list_float_size"),
    row(&LIST, "创建字符串列表", &[], I, "qi_list_string_create"),
    row(&LIST, "添加字符串", &[I, S], I, "qi_list_string_push"),
    row(&LIST, "获取字符串", &[I, I], S, "qi_list_string_get"),
    row(&LIST, "字符串列表大小", &[I], I, "qi_list_string_size"),
    row(&LIST, "转字符串数组", &[I], SA, "qi_list_string_to_array"),
    row(&LIST, "创建指针列表", &[], I, "qi_list_ptr_create"),
    row(&LIST, "添加指针", &[I, I], I, "qi_list_ptr_push"),
    row(&LIST, "获取指针", &[I, I], S, "qi_list_ptr_get"),
    row(&LIST, "设置指针", &[I, I, I], I, "qi_list_ptr_set"),
    row(&LIST, "指针列表大小", &[I], I, "qi_list_ptr_size"),
    row(&LIST, "删除列表", &[I], I, "qi_list_free"),
    // JSON: values behind handles; setters store copies, 获取对象/获取数组/数组获取对象/
    // 数组获取数组 give new handles to copies; misses give ""/0/0.0 (builtins.md §G.4).
    row(&JSON, "创建对象", &[], I, "qi_json_create_object"),
    row(&JSON, "创建数组", &[], I, "qi_json_create_array"),
    row(&JSON, "解码", &[S], I, "qi_json_decode"),
    row(&JSON, "从文本", &[S], I, "qi_json_from_text"),
    row(&JSON, "删除", &[I], I, "qi_json_free"),
    row(&JSON, "转字符串", &[I], S, "qi_json_to_string"),
    row(&JSON, "格式化", &[I], S, "qi_json_to_string_pretty"),
    row(&JSON, "编码", &[S], S, "qi_json_encode"),
    row(&JSON, "从键值", &[S], S, "qi_json_from_pairs"),
    row(&JSON, "枚举序号", &[S, S], I, "qi_json_enum_tag"),
    row(&JSON, "分配对象数组", &[I], SA, "qi_json_alloc_obj_array"),
    row(&JSON, "设置字符串", &[I, S, S], I, "qi_json_set_string"),
    row(&JSON, "设置整数", &[I, S, I], I, "qi_json_set_int"),
    row(&JSON, "设置浮点数", &[I, S, F], I, "qi_json_set_float"),
    row(&JSON, "设置布尔", &[I, S, I], I, "qi_json_set_bool"),
    row(&JSON, "设置对象", &[I, S, I], I, "qi_json_set_object"),
    row(&JSON, "设置数组", &[I, S, I], I, "qi_json_set_array"),
    row(&JSON, "获取字符串", &[I, S], S, "qi_json_get_string"),
    row(&JSON, "获取整数", &[I, S], I, "qi_json_get_int"),
    row(&JSON, "获取浮点数", &[I, S], F, "qi_json_get_float"),
    row(&JSON, "获取布尔", &[I, S], I, "qi_json_get_bool"),
    row(&JSON, "获取对象", &[I, S], I, "qi_json_get_object"),
    row(&JSON, "获取数组", &[I, S], I, "qi_json_get_array"),
    row(&JSON, "是否包含键", &[I, S], I, "qi_json_has_key"),
    row(&JSON, "取显示值", &[I, S], S, "qi_json_get_display"),
    row(&JSON, "键列表", &[I], SA, "qi_json_object_keys"),
    row(&JSON, "字段字符串数组", &[I, S], SA, "qi_json_field_str_array"),
    row(&JSON, "字段整数数组", &[I, S], IA, "qi_json_field_int_array"),
    row(&JSON, "字段浮点数组", &[I, S], FA, "qi_json_field_float_array"),
    row(&JSON, "数组添加字符串", &[I, S], I, "qi_json_array_push_string"),
    row(&JSON, "数组添加整数", &[I, I], I, "qi_json_array_push_int"),
    row(&JSON, "数组添加浮点数", &[I, F], I, "qi_json_array_push_float"),
    row(&JSON, "数组添加布尔", &[I, I], I, "qi_json_array_push_bool"),
    row(&JSON, "数组添加对象", &[I, I], I, "qi_json_array_push_object"),
    row(&JSON, "数组长度", &[I], I, "qi_json_array_length"),
    row(&JSON, "数组获取字符串", &[I, I], S, "qi_json_array_get_string"),
    row(&JSON, "数组获取整数", &[I, I], I, "qi_json_array_get_int"),
    row(&JSON, "数组获取浮点数", &[I, I], F, "qi_json_array_get_float"),
    row(&JSON, "数组获取布尔", &[I, I], I, "qi_json_array_get_bool"),
    row(&JSON, "数组获取对象", &[I, I], I, "qi_json_array_get_object"),
    row(&JSON, "数组获取数组", &[I, I], I, "qi_json_array_get_array"),
    // 子进程: piped children behind counted handles; reads park the green thread while an
    // I/O thread waits for the child's output (docs/CONCURRENCY.md).
    row(&SUBPROCESS, "生成", &[S, S], I, "qi_subprocess_spawn"),
    row(&SUBPROCESS, "结束", &[I], I, "qi_subprocess_terminate"),
    row(&SUBPROCESS, "写入行", &[I, S], I, "qi_subprocess_write_line"),
    row(&SUBPROCESS, "读取行", &[I], S, "qi_subprocess_read_line").parking(),
    row(&SUBPROCESS, "读取行超时", &[I, I], S, "qi_subprocess_read_line_timeout").parking(),
    row(&SUBPROCESS, "存活", &[I], I, "qi_subprocess_is_alive"),
    // 反射: the program's own declarations, registered by the engine before it starts;
    // unknown names give "" / 0 (docs/LANGUAGE-NOTES.md).
    row(&REFLECT, "函数列表", &[], SA, "qi_reflect_function_list"),
    row(&REFLECT, "有函数", &[S], I, "qi_reflect_has_function"),
    row(&REFLECT, "函数签名", &[S], S, "qi_reflect_function_signature"),
    row(&REFLECT, "结构体字段", &[S], S, "qi_reflect_struct_fields"),
    row(&REFLECT, "函数数量", &[], I, "qi_reflect_function_count"),
    row(&REFLECT, "函数名", &[I], S, "qi_reflect_function_name"),
    row(&REFLECT, "结构体列表", &[], SA, "qi_reflect_struct_list"),
    row(&REFLECT, "枚举列表", &[], SA, "qi_reflect_enum_list"),
    row(&REFLECT, "结构体数量", &[], I, "qi_reflect_struct_count"),
    row(&REFLECT, "结构体名", &[I], S, "qi_reflect_struct_name"),
    // 正则: pattern first; an invalid pattern gives 0 / null / the text / "[]"
    // (builtins.md §G.4, docs/LANGUAGE-NOTES.md).
    row(&REGEX, "是否匹配", &[S, S], I, "qi_regex_is_match"),
    row(&REGEX, "查找", &[S, S], S, "qi_regex_find"),
    row(&REGEX, "全部替换", &[S, S, S], S, "qi_regex_replace_all"),
    row(&REGEX, "切割", &[S, S], S, "qi_regex_split"),
    row(&REGEX, "查找全部", &[S, S], S, "qi_regex_find_all"),
    // 加密: lowercase hex digests of the UTF-8 bytes; Base64 standard and padded.
    row(&CRYPTO, "MD5哈希", &[S], S, "qi_crypto_md5"),
    row(&CRYPTO, "SHA256哈希", &[S], S, "qi_crypto_sha256"),
    row(&CRYPTO, "Base64编码", &[S], S, "qi_crypto_base64_encode"),
    row(&CRYPTO, "SHA512哈希", &[S], S, "qi_crypto_sha512"),
    row(&CRYPTO, "Base64解码", &[S], S, "qi_crypto_base64_decode"),
    row(&CRYPTO, "HMAC_SHA256", &[S, S], S, "qi_crypto_hmac_sha256"),
    // 压缩: gzip; files → 0 / -1, byte buffers are integer lists of the 列表 module.
    row(&COMPRESS, "压缩文件", &[S, S], I, "qi_compress_gzip_file"),
    row(&COMPRESS, "解压文件", &[S, S], I, "qi_compress_gunzip_file"),
    row(&COMPRESS, "压缩字符串", &[S], S, "qi_compress_gzip_string"),
    row(&COMPRESS, "解压字符串", &[S], S, "qi_compress_gunzip_string"),
    row(&COMPRESS, "压缩字节", &[I], I, "qi_compress_gzip_bytes"),
    row(&COMPRESS, "解压字节", &[I], I, "qi_compress_gunzip_bytes"),
    // 配置: TOML / INI files as JSON text; writing → 0 / -1.
    row(&CONFIG, "读取TOML", &[S], S, "qi_config_read_toml"),
    row(&CONFIG, "写入TOML", &[S, S], I, "qi_config_write_toml"),
    row(&CONFIG, "读取INI", &[S], S, "qi_config_read_ini"),
    row(&CONFIG, "写入INI", &[S, S], I, "qi_config_write_ini"),
    // 内存: raw 8-byte reads and writes at an address plus a byte offset, unchecked
    // (builtins.md §G.4, docs/FFI.md).
    row(&MEMORY, "读整数", &[I, I], I, "qi_mem_read_i64"),
    row(&MEMORY, "写整数", &[I, I, I], V, "qi_mem_write_i64"),
    // 哈希表: string-keyed tables behind handles; a handle naming no table of the kind
    // gives 0 / 0.0 / "" and does nothing, mutators give 1/0 (builtins.md §G.1/§G.4).
    row(&HASHMAP, "创建整数表", &[], I, "qi_hashmap_int_create"),
    row(&HASHMAP, "创建浮点表", &[], I, "qi_hashmap_float_create"),
    row(&HASHMAP, "创建字符串表", &[], I, "qi_hashmap_string_create"),
    row(&HASHMAP, "设置整数", &[I, S, I], I, "qi_hashmap_int_set"),
    row(&HASHMAP, "获取整数", &[I, S], I, "qi_hashmap_int_get"),
    row(&HASHMAP, "设置浮点数", &[I, S, F], I, "qi_hashmap_float_set"),
    row(&HASHMAP, "获取浮点数", &[I, S], F, "qi_hashmap_float_get"),
    row(&HASHMAP, "设置字符串", &[I, S, S], I, "qi_hashmap_string_set"),
    row(&HASHMAP, "获取字符串", &[I, S], S, "qi_hashmap_string_get"),
    row(&HASHMAP, "包含键", &[I, S], I, "qi_hashmap_contains"),
    row(&HASHMAP, "删除键", &[I, S], I, "qi_hashmap_remove"),
    row(&HASHMAP, "表大小", &[I], I, "qi_hashmap_int_size"),
    row(&HASHMAP, "浮点表大小", &[I], I, "qi_hashmap_float_size"),
    row(&HASHMAP, "字符串表大小", &[I], I, "qi_hashmap_string_size"),
    row(&HASHMAP, "清空表", &[I], I, "qi_hashmap_int_clear"),
    row(&HASHMAP, "释放表", &[I], I, "qi_hashmap_free"),
    // Chinese text, extensions over builtins.md §G.3 (docs/LANGUAGE-NOTES.md "Chinese
    // text"): extended grapheme clusters (UAX #29), CJK punctuation and full/half width,
    // GBK. Grapheme indices clamp like the `字符…` family; the GBK rows raise for a
    // character GBK cannot encode or bytes that are not GBK.
    row(&TEXT, "字素数量", &[S], I, "qi_text_grapheme_count"),
    row(&TEXT, "字素取", &[S, I], S, "qi_text_grapheme_at"),
    row(&TEXT, "字素子串", &[S, I, I], S, "qi_text_grapheme_substring"),
    row(&TEXT, "字素列表", &[S], SA, "qi_text_grapheme_list"),
    row(&TEXT, "字素反转", &[S], S, "qi_text_grapheme_reverse"),
    row(&TEXT, "是中文标点", &[S], I, "qi_text_is_cjk_punctuation"),
    row(&TEXT, "全角转半角", &[S], S, "qi_text_to_halfwidth"),
    row(&TEXT, "半角转全角", &[S], S, "qi_text_to_fullwidth"),
    row(&TEXT, "GBK字节", &[S], IA, "qi_text_gbk_encode").raising(),
    row(&TEXT, "从GBK字节", &[IA], S, "qi_text_gbk_decode").raising(),
    row(&IO, "读取GBK文件", &[S], S, "qi_io_read_gbk_file").raising(),
    row(&IO, "写入GBK文件", &[S, S], I, "qi_io_write_gbk_file").raising(),
];

/// Every row with its id.
pub fn rows() -> impl Iterator<Item = (LibId, &'static LibFn)> {
    LIBRARY.iter().enumerate().map(|(i, f)| (LibId(i as u32), f))
}

/// The module a key names (`数学`, `文本`).
pub fn module_by_key(key: &str) -> Option<&'static Module> {
    MODULES.iter().copied().find(|m| m.keys.contains(&key))
}

/// The function `name` of `module`.
pub fn function(module: &Module, name: &str) -> Option<LibId> {
    rows().find(|(_, f)| std::ptr::eq(f.module, module) && f.name == name).map(|(id, _)| id)
}

/// The modules defining a function called `name`, in table order, each once: more than
/// one makes an unqualified call ambiguous (§G.1).
pub fn modules_defining(name: &str) -> Vec<&'static Module> {
    modules_defining_in(LIBRARY, name)
}

fn modules_defining_in(table: &'static [LibFn], name: &str) -> Vec<&'static Module> {
    let mut found: Vec<&'static Module> = Vec::new();
    for f in table.iter().filter(|f| f.name == name) {
        if !found.iter().any(|m| std::ptr::eq(*m, f.module)) {
            found.push(f.module);
        }
    }
    found
}

/// The keys of every module, as diagnostics list them.
pub fn module_list() -> String {
    MODULES.iter().map(|m| m.keys.join("/")).collect::<Vec<_>>().join(" / ")
}

#[cfg(test)]
mod tests {
    use super::*;

    static A: Module = Module { keys: &["甲", "甲二"] };
    static B: Module = Module { keys: &["乙"] };
    static TWO: &[LibFn] = &[
        row(&A, "同名", &[], I, "qi_a_same"),
        row(&A, "独有", &[], I, "qi_a_own"),
        row(&B, "同名", &[I], I, "qi_b_same"),
    ];

    #[test]
    fn a_name_in_several_modules_is_ambiguous() {
        let names = |ms: Vec<&Module>| ms.iter().map(|m| m.name()).collect::<Vec<_>>();
        assert_eq!(names(modules_defining_in(TWO, "同名")), ["甲", "乙"]);
        assert_eq!(names(modules_defining_in(TWO, "独有")), ["甲"]);
        assert!(modules_defining_in(TWO, "无").is_empty());
    }

    #[test]
    fn rows_are_unique_and_reachable() {
        for (id, f) in rows() {
            assert!(MODULES.iter().any(|m| std::ptr::eq(*m, f.module)), "{}", f.name);
            assert_eq!(function(f.module, f.name), Some(id), "{} is defined twice", f.name);
            assert!(f.params.iter().all(|p| *p != LibType::Void), "{}", f.name);
            assert!(f.symbol.starts_with("qi_"), "{}", f.symbol);
            // A raising entry point returns its result in one integer register.
            assert!(!f.raises || matches!(f.ret, I | S | LibType::Array(_)), "{}", f.name);
        }
        for m in MODULES {
            for k in m.keys {
                assert!(!MODULES_LATER.contains(k), "{k} is provided");
            }
        }
    }
}
