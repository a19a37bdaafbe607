//! The table of `extern "C"` entry points, for the JIT to register as symbols
//! (`JITBuilder::symbol(name, addr)`) and to declare with the right
//! signature.

use crate::array::{qi_array_len, qi_array_new};
use crate::exception::*;
use crate::ffi::callbacks::{
    qi_ffi_callback_enter, qi_ffi_callbacks_begin, qi_ffi_callbacks_end, qi_ffi_enter, qi_ffi_leave,
};
use crate::ffi::strings::{qi_ffi_cstr, qi_ffi_cstr_free, qi_ffi_str_from_c};
use crate::generator::{qi_gen_new, qi_gen_resume, qi_gen_take, qi_gen_yield};
use crate::green::*;
use crate::library::compress::*;
use crate::library::config::*;
use crate::library::crypto::*;
use crate::library::env::*;
use crate::library::gbk::*;
use crate::library::grapheme::*;
use crate::library::hashmap::*;
use crate::library::io::*;
use crate::library::json::*;
use crate::library::list::*;
use crate::library::math::*;
use crate::library::memory::*;
use crate::library::os::*;
use crate::library::path::*;
use crate::library::process::*;
use crate::library::punctuation::*;
use crate::library::random::*;
use crate::library::reflect::*;
use crate::library::regex::*;
use crate::library::subprocess::*;
use crate::library::sync::*;
use crate::library::test::*;
use crate::library::text::*;
use crate::library::time::*;
use crate::library::vector::*;
use crate::library::width::*;
use crate::numeric::{qi_float_rem, qi_float_to_int_sat};
use crate::object::{qi_osr_object, qi_release, qi_retain};
use crate::output::{
    qi_print_bool, qi_print_char, qi_print_float, qi_print_int, qi_print_newline, qi_print_space,
    qi_print_str, qi_print_str_line,
};
use crate::program::{qi_args, qi_input, qi_input_prompt};
use crate::record::qi_record_new;
use crate::string::{
    qi_str_append, qi_str_byte_len, qi_str_cmp, qi_str_concat, qi_str_eq, qi_str_from_bool,
    qi_str_from_char, qi_str_from_float, qi_str_from_int, qi_str_len, qi_str_to_float,
    qi_str_to_int,
};

/// Machine type of a parameter or result, as the JIT must declare it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AbiType {
    /// `i64`.
    I64,
    /// `f64`.
    F64,
    /// `u32` (characters, flags): Cranelift `I32`, declare with `uext`.
    U32,
    /// `u8` (booleans): Cranelift `I8`, declare with `uext`.
    U8,
    /// Object pointer, passed as a pointer-sized integer (`I64`); may be null.
    Ptr,
    /// A [`crate::green::Raising`] result: `(I64 value, I64 raised)` in two registers.
    Raising,
}

/// One entry point and its signature.
#[derive(Clone, Copy, Debug)]
pub struct EntryPoint {
    pub name: &'static str,
    pub addr: *const u8,
    pub params: &'static [AbiType],
    /// `None` for no result.
    pub ret: Option<AbiType>,
    /// Never returns (`-> !`): the JIT can end the block after the call.
    pub diverges: bool,
}

macro_rules! entry {
    ($f:ident ( $($p:ident),* ) -> !) => {
        EntryPoint { name: stringify!($f), addr: $f as *const u8, params: &[$(AbiType::$p),*], ret: None, diverges: true }
    };
    ($f:ident ( $($p:ident),* ) -> $r:ident) => {
        EntryPoint { name: stringify!($f), addr: $f as *const u8, params: &[$(AbiType::$p),*], ret: Some(AbiType::$r), diverges: false }
    };
    ($f:ident ( $($p:ident),* )) => {
        EntryPoint { name: stringify!($f), addr: $f as *const u8, params: &[$(AbiType::$p),*], ret: None, diverges: false }
    };
}

// SAFETY: an entry point's fields are never written after the table is built; `addr` is
// the address of a function, which every thread may read and call.
unsafe impl Sync for EntryPoint {}

/// Every entry point with its signature. A static table: building it at run time cost
/// `hello` two allocations of about 20 KB and their first-touch page faults.
static ENTRY_POINTS: &[EntryPoint] = &[
    // object
    entry!(qi_retain(Ptr)),
    entry!(qi_release(Ptr)),
    entry!(qi_osr_object(Ptr) -> Ptr),
    entry!(qi_record_new(Ptr) -> Ptr),
    // exceptions
    entry!(qi_throw(Ptr, I64, I64)),
    entry!(qi_throw_caused(Ptr, Ptr, I64, I64)),
    entry!(qi_exc_take() -> Ptr),
    entry!(qi_exc_rethrow(Ptr)),
    entry!(qi_exc_message(Ptr) -> Ptr),
    entry!(qi_exc_location(Ptr) -> Ptr),
    entry!(qi_exc_cause(Ptr) -> Ptr),
    entry!(qi_exc_trace(Ptr, I64, I64)),
    entry!(qi_raise_div_zero(U32, U32)),
    entry!(qi_raise_index(Ptr, U32, U32)),
    entry!(qi_raise_float_to_int(Ptr, U32, U32)),
    entry!(qi_raise_int_to_char(Ptr, U32, U32)),
    entry!(qi_raise_uninit_global(Ptr, U32, U32)),
    entry!(qi_raise_stack_overflow(U32, U32)),
    // foreign functions (外部)
    entry!(qi_ffi_cstr(Ptr) -> Ptr),
    entry!(qi_ffi_cstr_free(Ptr, Ptr)),
    entry!(qi_ffi_str_from_c(Ptr) -> Ptr),
    entry!(qi_ffi_callbacks_begin(I64) -> I64),
    entry!(qi_ffi_callbacks_end(I64) -> U8),
    entry!(qi_ffi_callback_enter() -> I64),
    entry!(qi_ffi_enter()),
    entry!(qi_ffi_leave()),
    // 数学
    entry!(qi_math_sqrt(F64) -> F64),
    entry!(qi_math_abs(F64) -> F64),
    entry!(qi_math_floor(F64) -> F64),
    entry!(qi_math_ceil(F64) -> F64),
    entry!(qi_math_pi() -> F64),
    entry!(qi_math_e() -> F64),
    entry!(qi_math_sin(F64) -> F64),
    entry!(qi_math_cos(F64) -> F64),
    entry!(qi_math_tan(F64) -> F64),
    entry!(qi_math_asin(F64) -> F64),
    entry!(qi_math_acos(F64) -> F64),
    entry!(qi_math_atan(F64) -> F64),
    entry!(qi_math_tanh(F64) -> F64),
    entry!(qi_math_exp(F64) -> F64),
    entry!(qi_math_ln(F64) -> F64),
    entry!(qi_math_log10(F64) -> F64),
    entry!(qi_math_log2(F64) -> F64),
    entry!(qi_math_cbrt(F64) -> F64),
    entry!(qi_math_round(F64) -> F64),
    entry!(qi_math_pow(F64, F64) -> F64),
    entry!(qi_math_max(F64, F64) -> F64),
    entry!(qi_math_min(F64, F64) -> F64),
    // string
    entry!(qi_str_concat(Ptr, Ptr, U32, U32) -> Raising),
    entry!(qi_str_append(Ptr, Ptr, U32, U32) -> Raising),
    entry!(qi_str_from_int(I64) -> Ptr),
    entry!(qi_str_from_float(F64) -> Ptr),
    entry!(qi_str_from_bool(U8) -> Ptr),
    entry!(qi_str_from_char(U32) -> Ptr),
    entry!(qi_str_cmp(Ptr, Ptr) -> I64),
    entry!(qi_str_eq(Ptr, Ptr) -> U8),
    entry!(qi_str_len(Ptr) -> I64),
    entry!(qi_str_byte_len(Ptr) -> I64),
    entry!(qi_str_to_int(Ptr) -> I64),
    entry!(qi_str_to_float(Ptr) -> F64),
    // output
    entry!(qi_print_str(Ptr)),
    entry!(qi_print_str_line(Ptr)),
    entry!(qi_print_int(I64)),
    entry!(qi_print_float(F64)),
    entry!(qi_print_bool(U8)),
    entry!(qi_print_char(U32)),
    entry!(qi_print_space()),
    entry!(qi_print_newline()),
    // array
    entry!(qi_array_new(I64, U32, U32, U32) -> Raising),
    entry!(qi_array_len(Ptr) -> I64),
    // errors and numeric conversions
    entry!(qi_float_to_int_sat(F64) -> I64),
    entry!(qi_float_rem(F64, F64) -> F64),
    // program
    entry!(qi_args() -> Ptr),
    entry!(qi_input() -> Ptr),
    entry!(qi_input_prompt(Ptr) -> Ptr),
    // green threads, channels, futures, synchronisation
    entry!(qi_spawn(Ptr)),
    entry!(qi_sleep(I64)),
    entry!(qi_yield()),
    entry!(qi_time_ms() -> I64),
    entry!(qi_run_all()),
    entry!(qi_step() -> I64),
    entry!(qi_timer_new(I64) -> I64),
    entry!(qi_timer_expired(I64, U32, U32) -> Raising),
    entry!(qi_timer_stop(I64, U32, U32) -> Raising),
    entry!(qi_chan_new(I64, U8, U32, U32) -> Raising),
    entry!(qi_chan_send(Ptr, I64, U32, U32) -> Raising),
    entry!(qi_chan_recv(Ptr) -> I64),
    entry!(qi_chan_recv_ok(Ptr) -> U8),
    entry!(qi_chan_take() -> I64),
    entry!(qi_chan_close(Ptr, U32, U32) -> Raising),
    entry!(qi_select_begin()),
    entry!(qi_select_recv(Ptr)),
    entry!(qi_select_send(Ptr, I64)),
    entry!(qi_select_wait(I64, U8, U32, U32) -> Raising),
    entry!(qi_future_new(U8) -> Ptr),
    entry!(qi_future_spawn(Ptr, Ptr, I64)),
    entry!(qi_future_complete(Ptr, I64)),
    entry!(qi_future_ready(I64, U8) -> Ptr),
    entry!(qi_future_failed(Ptr, U8) -> Ptr),
    entry!(qi_await(Ptr, U32, U32) -> Raising),
    entry!(qi_gen_new(Ptr, U8) -> Ptr),
    entry!(qi_gen_resume(Ptr, U32, U32) -> Raising),
    entry!(qi_gen_take(Ptr) -> I64),
    entry!(qi_gen_yield(I64, U32, U32) -> Raising),
    entry!(qi_wg_new() -> I64),
    entry!(qi_wg_add(I64, I64, U32, U32) -> Raising),
    entry!(qi_wg_done(I64, U32, U32) -> Raising),
    entry!(qi_wg_wait(I64, U32, U32) -> Raising),
    entry!(qi_mutex_new() -> I64),
    entry!(qi_mutex_lock(I64, U32, U32) -> Raising),
    entry!(qi_mutex_unlock(I64, U32, U32) -> Raising),
    entry!(qi_mutex_try_lock(I64, U32, U32) -> Raising),
    // 输入输出
    entry!(qi_io_println(Ptr) -> I64),
    entry!(qi_io_print(Ptr) -> I64),
    entry!(qi_io_read_file(Ptr) -> Ptr),
    entry!(qi_io_file_exists(Ptr) -> I64),
    entry!(qi_io_write_file(Ptr, Ptr) -> I64),
    entry!(qi_io_append_file(Ptr, Ptr) -> I64),
    entry!(qi_io_delete_file(Ptr) -> I64),
    entry!(qi_io_file_size(Ptr) -> I64),
    entry!(qi_io_rename(Ptr, Ptr) -> I64),
    entry!(qi_io_create_file(Ptr) -> I64),
    entry!(qi_io_symlink(Ptr, Ptr) -> I64),
    entry!(qi_io_create_dir(Ptr) -> I64),
    entry!(qi_io_delete_dir(Ptr) -> I64),
    // 字符串 / 文本
    entry!(qi_string_byte_length(Ptr) -> I64),
    entry!(qi_string_char_count(Ptr) -> I64),
    entry!(qi_string_char_substring(Ptr, I64, I64) -> Ptr),
    entry!(qi_string_char_find(Ptr, Ptr) -> I64),
    entry!(qi_string_char_at(Ptr, I64) -> Ptr),
    entry!(qi_string_char_from(Ptr, I64) -> Ptr),
    entry!(qi_string_equals(Ptr, Ptr) -> I64),
    entry!(qi_string_substring(Ptr, I64, I64) -> Ptr),
    entry!(qi_string_contains(Ptr, Ptr) -> I64),
    entry!(qi_string_find(Ptr, Ptr) -> I64),
    entry!(qi_string_find_from(Ptr, Ptr, I64) -> I64),
    entry!(qi_string_substring_from(Ptr, I64) -> Ptr),
    entry!(qi_string_common_prefix(Ptr, Ptr) -> I64),
    entry!(qi_string_common_suffix(Ptr, Ptr, I64) -> I64),
    entry!(qi_string_replace(Ptr, Ptr, Ptr) -> Ptr),
    entry!(qi_string_trim(Ptr) -> Ptr),
    entry!(qi_string_to_upper(Ptr) -> Ptr),
    entry!(qi_string_to_lower(Ptr) -> Ptr),
    entry!(qi_string_starts_with(Ptr, Ptr) -> I64),
    entry!(qi_string_ends_with(Ptr, Ptr) -> I64),
    entry!(qi_string_split(Ptr, Ptr) -> I64),
    // 文本 / 输入输出: Chinese text (extensions; the GBK ones raise)
    entry!(qi_text_grapheme_count(Ptr) -> I64),
    entry!(qi_text_grapheme_at(Ptr, I64) -> Ptr),
    entry!(qi_text_grapheme_substring(Ptr, I64, I64) -> Ptr),
    entry!(qi_text_grapheme_list(Ptr) -> Ptr),
    entry!(qi_text_grapheme_reverse(Ptr) -> Ptr),
    entry!(qi_text_is_cjk_punctuation(Ptr) -> I64),
    entry!(qi_text_to_halfwidth(Ptr) -> Ptr),
    entry!(qi_text_to_fullwidth(Ptr) -> Ptr),
    entry!(qi_text_gbk_encode(Ptr, U32, U32) -> Raising),
    entry!(qi_text_gbk_decode(Ptr, U32, U32) -> Raising),
    entry!(qi_io_read_gbk_file(Ptr, U32, U32) -> Raising),
    entry!(qi_io_write_gbk_file(Ptr, Ptr, U32, U32) -> Raising),
    // 操作系统 / OS
    entry!(qi_os_getenv(Ptr) -> Ptr),
    entry!(qi_os_setenv(Ptr, Ptr) -> I64),
    entry!(qi_os_unsetenv(Ptr) -> I64),
    entry!(qi_os_environ() -> Ptr),
    entry!(qi_os_load_env(Ptr) -> I64),
    entry!(qi_os_getcwd() -> Ptr),
    entry!(qi_os_chdir(Ptr) -> I64),
    entry!(qi_os_homedir() -> Ptr),
    entry!(qi_os_tempdir() -> Ptr),
    entry!(qi_os_type() -> Ptr),
    entry!(qi_os_arch() -> Ptr),
    entry!(qi_os_family() -> Ptr),
    entry!(qi_os_hostname() -> Ptr),
    entry!(qi_os_username() -> Ptr),
    entry!(qi_os_cpu_count() -> I64),
    entry!(qi_os_getpid() -> I64),
    entry!(qi_os_list_dir(Ptr) -> Ptr),
    entry!(qi_os_is_dir(Ptr) -> I64),
    entry!(qi_os_is_file(Ptr) -> I64),
    entry!(qi_os_exit(I64) -> !),
    entry!(qi_os_free_string(Ptr)),
    // 路径
    entry!(qi_path_join(Ptr, Ptr) -> Ptr),
    entry!(qi_path_filename(Ptr) -> Ptr),
    entry!(qi_path_parent(Ptr) -> Ptr),
    entry!(qi_path_extension(Ptr) -> Ptr),
    entry!(qi_path_absolute(Ptr) -> Ptr),
    entry!(qi_path_exists(Ptr) -> I64),
    entry!(qi_path_is_dir(Ptr) -> I64),
    entry!(qi_path_is_file(Ptr) -> I64),
    // 环境
    entry!(qi_env_get(Ptr) -> Ptr),
    entry!(qi_env_set(Ptr, Ptr) -> I64),
    entry!(qi_env_remove(Ptr) -> I64),
    entry!(qi_env_current_dir() -> Ptr),
    entry!(qi_env_set_current_dir(Ptr) -> I64),
    entry!(qi_env_home_dir() -> Ptr),
    entry!(qi_env_all() -> Ptr),
    // 进程
    entry!(qi_process_execute(Ptr, Ptr) -> Ptr),
    entry!(qi_process_current_pid() -> I64),
    entry!(qi_process_exit(I64) -> !),
    // 同步
    entry!(qi_sync_mutex_create() -> I64),
    entry!(qi_sync_mutex_lock(I64) -> I64),
    entry!(qi_sync_mutex_unlock(I64) -> I64),
    entry!(qi_sync_mutex_trylock(I64) -> I64),
    entry!(qi_sync_mutex_destroy(I64) -> I64),
    entry!(qi_sync_atomic_create(I64) -> I64),
    entry!(qi_sync_atomic_load(I64) -> I64),
    entry!(qi_sync_atomic_store(I64, I64) -> I64),
    entry!(qi_sync_atomic_add(I64, I64) -> I64),
    entry!(qi_sync_atomic_cas(I64, I64, I64) -> I64),
    entry!(qi_sync_atomic_destroy(I64) -> I64),
    entry!(qi_sync_goroutine_spawn(Ptr) -> I64),
    entry!(qi_sync_goroutine_join(I64) -> I64),
    entry!(qi_sync_goroutine_has_exception(I64) -> I64),
    entry!(qi_sync_goroutine_take_exception(I64) -> Ptr),
    entry!(qi_sync_goroutine_exception_count() -> I64),
    entry!(qi_sync_goroutine_take_oldest_exception() -> Ptr),
    // 时间 / 日期
    entry!(qi_datetime_now() -> I64),
    entry!(qi_datetime_now_millis() -> I64),
    entry!(qi_datetime_now_micros() -> I64),
    entry!(qi_datetime_now_nanos() -> I64),
    entry!(qi_datetime_now_local() -> I64),
    entry!(qi_datetime_format(I64, Ptr) -> Ptr),
    entry!(qi_datetime_format_local(I64, Ptr) -> Ptr),
    entry!(qi_datetime_parse(Ptr, Ptr) -> I64),
    entry!(qi_datetime_year(I64) -> I64),
    entry!(qi_datetime_month(I64) -> I64),
    entry!(qi_datetime_day(I64) -> I64),
    entry!(qi_datetime_hour(I64) -> I64),
    entry!(qi_datetime_minute(I64) -> I64),
    entry!(qi_datetime_second(I64) -> I64),
    entry!(qi_datetime_millisecond(I64) -> I64),
    entry!(qi_datetime_weekday(I64) -> I64),
    entry!(qi_datetime_quarter(I64) -> I64),
    entry!(qi_datetime_day_of_year(I64) -> I64),
    entry!(qi_datetime_week_of_year(I64) -> I64),
    entry!(qi_datetime_add_seconds(I64, I64) -> I64),
    entry!(qi_datetime_add_minutes(I64, I64) -> I64),
    entry!(qi_datetime_add_hours(I64, I64) -> I64),
    entry!(qi_datetime_add_days(I64, I64) -> I64),
    entry!(qi_datetime_add_weeks(I64, I64) -> I64),
    entry!(qi_datetime_add_months(I64, I64) -> I64),
    entry!(qi_datetime_add_years(I64, I64) -> I64),
    entry!(qi_datetime_diff_days(I64, I64) -> I64),
    entry!(qi_datetime_diff_hours(I64, I64) -> I64),
    entry!(qi_datetime_diff_minutes(I64, I64) -> I64),
    entry!(qi_datetime_diff_seconds(I64, I64) -> I64),
    entry!(qi_datetime_from_ymd(I64, I64, I64) -> I64),
    entry!(qi_datetime_from_ymdhms(I64, I64, I64, I64, I64, I64) -> I64),
    entry!(qi_datetime_is_leap_year(I64) -> I64),
    entry!(qi_datetime_days_in_month(I64, I64) -> I64),
    entry!(qi_datetime_start_of_day(I64) -> I64),
    entry!(qi_datetime_end_of_day(I64) -> I64),
    entry!(qi_datetime_start_of_week(I64) -> I64),
    entry!(qi_datetime_end_of_week(I64) -> I64),
    entry!(qi_datetime_start_of_month(I64) -> I64),
    entry!(qi_datetime_end_of_month(I64) -> I64),
    entry!(qi_datetime_start_of_quarter(I64) -> I64),
    entry!(qi_datetime_end_of_quarter(I64) -> I64),
    entry!(qi_datetime_start_of_year(I64) -> I64),
    entry!(qi_datetime_end_of_year(I64) -> I64),
    entry!(qi_datetime_is_between(I64, I64, I64) -> I64),
    entry!(qi_datetime_is_today(I64) -> I64),
    entry!(qi_datetime_is_this_week(I64) -> I64),
    entry!(qi_datetime_is_this_month(I64) -> I64),
    entry!(qi_datetime_is_this_year(I64) -> I64),
    entry!(qi_datetime_is_weekend(I64) -> I64),
    entry!(qi_datetime_is_weekday(I64) -> I64),
    entry!(qi_datetime_seconds_to_millis(I64) -> I64),
    entry!(qi_datetime_millis_to_seconds(I64) -> I64),
    entry!(qi_datetime_seconds_to_micros(I64) -> I64),
    entry!(qi_datetime_micros_to_seconds(I64) -> I64),
    entry!(qi_datetime_sleep_seconds(I64)),
    entry!(qi_datetime_sleep_millis(I64)),
    entry!(qi_datetime_sleep_micros(I64)),
    entry!(qi_datetime_async_sleep_millis(I64)),
    entry!(qi_datetime_async_sleep_future(I64) -> I64),
    // 随机
    entry!(qi_random_int(I64, I64) -> I64),
    entry!(qi_random_float(F64, F64) -> F64),
    entry!(qi_random_bool() -> I64),
    entry!(qi_random_string(I64) -> Ptr),
    entry!(qi_random_uuid() -> Ptr),
    // 测试
    entry!(qi_test_pass(Ptr)),
    entry!(qi_test_fail(Ptr, Ptr)),
    entry!(qi_test_assert_eq_int(I64, I64, Ptr, I64, I64, I64) -> I64),
    entry!(qi_test_assert_eq_float(F64, F64, Ptr, I64, I64, I64) -> I64),
    entry!(qi_test_assert_eq_string(Ptr, Ptr, Ptr, I64, I64, I64) -> I64),
    entry!(qi_test_assert_true(I64, Ptr, I64, I64, I64) -> I64),
    entry!(qi_test_assert_false(I64, Ptr, I64, I64, I64) -> I64),
    entry!(qi_test_assert_ne_int(I64, I64, Ptr, I64, I64, I64) -> I64),
    // 向量
    entry!(qi_vector_dot(Ptr, Ptr) -> F64),
    entry!(qi_vector_magnitude(Ptr) -> F64),
    entry!(qi_vector_cosine_similarity(Ptr, Ptr) -> F64),
    entry!(qi_vector_add(Ptr, Ptr) -> Ptr),
    entry!(qi_vector_normalize(Ptr) -> Ptr),
    entry!(qi_vector_scale(Ptr, F64) -> Ptr),
    // 列表
    // 内存
    entry!(qi_mem_read_i64(I64, I64) -> I64),
    entry!(qi_mem_write_i64(I64, I64, I64)),
    entry!(qi_list_int_create() -> I64),
    entry!(qi_list_int_push(I64, I64) -> I64),
    entry!(qi_list_int_get(I64, I64) -> I64),
    entry!(qi_list_int_set(I64, I64, I64) -> I64),
    entry!(qi_list_int_size(I64) -> I64),
    entry!(qi_list_int_pop(I64) -> I64),
    entry!(qi_list_int_clear(I64) -> I64),
    entry!(qi_list_int_remove(I64, I64) -> I64),
    entry!(qi_list_int_insert(I64, I64, I64) -> I64),
    entry!(qi_list_int_contains(I64, I64) -> I64),
    entry!(qi_list_int_index_of(I64, I64) -> I64),
    entry!(qi_list_float_create() -> I64),
    entry!(qi_list_float_push(I64, F64) -> I64),
    entry!(qi_list_float_get(I64, I64) -> F64),
    entry!(qi_list_float_size(I64) -> I64),
    entry!(qi_list_string_create() -> I64),
    entry!(qi_list_string_push(I64, Ptr) -> I64),
    entry!(qi_list_string_get(I64, I64) -> Ptr),
    entry!(qi_list_string_size(I64) -> I64),
    entry!(qi_list_string_to_array(I64) -> Ptr),
    entry!(qi_list_ptr_create() -> I64),
    entry!(qi_list_ptr_push(I64, I64) -> I64),
    entry!(qi_list_ptr_get(I64, I64) -> Ptr),
    entry!(qi_list_ptr_set(I64, I64, I64) -> I64),
    entry!(qi_list_ptr_size(I64) -> I64),
    entry!(qi_list_free(I64) -> I64),
    // JSON
    entry!(qi_json_create_object() -> I64),
    entry!(qi_json_create_array() -> I64),
    entry!(qi_json_decode(Ptr) -> I64),
    entry!(qi_json_from_text(Ptr) -> I64),
    entry!(qi_json_free(I64) -> I64),
    entry!(qi_json_to_string(I64) -> Ptr),
    entry!(qi_json_to_string_pretty(I64) -> Ptr),
    entry!(qi_json_encode(Ptr) -> Ptr),
    entry!(qi_json_from_pairs(Ptr) -> Ptr),
    entry!(qi_json_enum_tag(Ptr, Ptr) -> I64),
    entry!(qi_json_alloc_obj_array(I64) -> Ptr),
    entry!(qi_json_set_string(I64, Ptr, Ptr) -> I64),
    entry!(qi_json_set_int(I64, Ptr, I64) -> I64),
    entry!(qi_json_set_float(I64, Ptr, F64) -> I64),
    entry!(qi_json_set_bool(I64, Ptr, I64) -> I64),
    entry!(qi_json_set_object(I64, Ptr, I64) -> I64),
    entry!(qi_json_set_array(I64, Ptr, I64) -> I64),
    entry!(qi_json_get_string(I64, Ptr) -> Ptr),
    entry!(qi_json_get_int(I64, Ptr) -> I64),
    entry!(qi_json_get_float(I64, Ptr) -> F64),
    entry!(qi_json_get_bool(I64, Ptr) -> I64),
    entry!(qi_json_get_object(I64, Ptr) -> I64),
    entry!(qi_json_get_array(I64, Ptr) -> I64),
    entry!(qi_json_has_key(I64, Ptr) -> I64),
    entry!(qi_json_get_display(I64, Ptr) -> Ptr),
    entry!(qi_json_object_keys(I64) -> Ptr),
    entry!(qi_json_field_str_array(I64, Ptr) -> Ptr),
    entry!(qi_json_field_int_array(I64, Ptr) -> Ptr),
    entry!(qi_json_field_float_array(I64, Ptr) -> Ptr),
    entry!(qi_json_array_push_string(I64, Ptr) -> I64),
    entry!(qi_json_array_push_int(I64, I64) -> I64),
    entry!(qi_json_array_push_float(I64, F64) -> I64),
    entry!(qi_json_array_push_bool(I64, I64) -> I64),
    entry!(qi_json_array_push_object(I64, I64) -> I64),
    entry!(qi_json_array_length(I64) -> I64),
    entry!(qi_json_array_get_string(I64, I64) -> Ptr),
    entry!(qi_json_array_get_int(I64, I64) -> I64),
    entry!(qi_json_array_get_float(I64, I64) -> F64),
    entry!(qi_json_array_get_bool(I64, I64) -> I64),
    entry!(qi_json_array_get_object(I64, I64) -> I64),
    entry!(qi_json_array_get_array(I64, I64) -> I64),
    // 反射
    entry!(qi_reflect_function_list() -> Ptr),
    entry!(qi_reflect_has_function(Ptr) -> I64),
    entry!(qi_reflect_function_signature(Ptr) -> Ptr),
    entry!(qi_reflect_struct_fields(Ptr) -> Ptr),
    entry!(qi_reflect_function_count() -> I64),
    entry!(qi_reflect_function_name(I64) -> Ptr),
    entry!(qi_reflect_struct_list() -> Ptr),
    entry!(qi_reflect_enum_list() -> Ptr),
    entry!(qi_reflect_struct_count() -> I64),
    entry!(qi_reflect_struct_name(I64) -> Ptr),
    // 子进程
    entry!(qi_subprocess_spawn(Ptr, Ptr) -> I64),
    entry!(qi_subprocess_write_line(I64, Ptr) -> I64),
    entry!(qi_subprocess_read_line(I64) -> Ptr),
    entry!(qi_subprocess_read_line_timeout(I64, I64) -> Ptr),
    entry!(qi_subprocess_is_alive(I64) -> I64),
    entry!(qi_subprocess_terminate(I64) -> I64),
    // 正则
    entry!(qi_regex_is_match(Ptr, Ptr) -> I64),
    entry!(qi_regex_find(Ptr, Ptr) -> Ptr),
    entry!(qi_regex_replace_all(Ptr, Ptr, Ptr) -> Ptr),
    entry!(qi_regex_split(Ptr, Ptr) -> Ptr),
    entry!(qi_regex_find_all(Ptr, Ptr) -> Ptr),
    // 加密
    entry!(qi_crypto_md5(Ptr) -> Ptr),
    entry!(qi_crypto_sha256(Ptr) -> Ptr),
    entry!(qi_crypto_base64_encode(Ptr) -> Ptr),
    entry!(qi_crypto_sha512(Ptr) -> Ptr),
    entry!(qi_crypto_base64_decode(Ptr) -> Ptr),
    entry!(qi_crypto_hmac_sha256(Ptr, Ptr) -> Ptr),
    // 压缩
    entry!(qi_compress_gzip_file(Ptr, Ptr) -> I64),
    entry!(qi_compress_gunzip_file(Ptr, Ptr) -> I64),
    entry!(qi_compress_gzip_string(Ptr) -> Ptr),
    entry!(qi_compress_gunzip_string(Ptr) -> Ptr),
    entry!(qi_compress_gzip_bytes(I64) -> I64),
    entry!(qi_compress_gunzip_bytes(I64) -> I64),
    // 配置
    entry!(qi_config_read_toml(Ptr) -> Ptr),
    entry!(qi_config_write_toml(Ptr, Ptr) -> I64),
    entry!(qi_config_read_ini(Ptr) -> Ptr),
    entry!(qi_config_write_ini(Ptr, Ptr) -> I64),
    // 哈希表
    entry!(qi_hashmap_int_create() -> I64),
    entry!(qi_hashmap_float_create() -> I64),
    entry!(qi_hashmap_string_create() -> I64),
    entry!(qi_hashmap_int_set(I64, Ptr, I64) -> I64),
    entry!(qi_hashmap_int_get(I64, Ptr) -> I64),
    entry!(qi_hashmap_float_set(I64, Ptr, F64) -> I64),
    entry!(qi_hashmap_float_get(I64, Ptr) -> F64),
    entry!(qi_hashmap_string_set(I64, Ptr, Ptr) -> I64),
    entry!(qi_hashmap_string_get(I64, Ptr) -> Ptr),
    entry!(qi_hashmap_contains(I64, Ptr) -> I64),
    entry!(qi_hashmap_remove(I64, Ptr) -> I64),
    entry!(qi_hashmap_int_size(I64) -> I64),
    entry!(qi_hashmap_float_size(I64) -> I64),
    entry!(qi_hashmap_string_size(I64) -> I64),
    entry!(qi_hashmap_int_clear(I64) -> I64),
    entry!(qi_hashmap_free(I64) -> I64),
    entry!(qi_publish(Ptr)),
];

/// Every entry point with its signature.
pub fn entry_points() -> &'static [EntryPoint] {
    ENTRY_POINTS
}

/// `(name, address)` of every entry point.
pub fn symbols() -> impl Iterator<Item = (&'static str, *const u8)> {
    ENTRY_POINTS.iter().map(|e| (e.name, e.addr))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// The sources that define entry points.
    const SOURCES: &[&str] = &[
        include_str!("array.rs"),
        include_str!("error.rs"),
        include_str!("numeric.rs"),
        include_str!("object.rs"),
        include_str!("output.rs"),
        include_str!("program.rs"),
        include_str!("string.rs"),
        include_str!("record.rs"),
        include_str!("library/math.rs"),
        include_str!("library/sync.rs"),
        include_str!("library/io.rs"),
        include_str!("library/text.rs"),
        include_str!("library/grapheme.rs"),
        include_str!("library/punctuation.rs"),
        include_str!("library/width.rs"),
        include_str!("library/gbk.rs"),
        include_str!("library/os.rs"),
        include_str!("library/path.rs"),
        include_str!("library/env.rs"),
        include_str!("library/process.rs"),
        include_str!("library/time.rs"),
        include_str!("library/random.rs"),
        include_str!("library/test.rs"),
        include_str!("library/vector.rs"),
        include_str!("library/list.rs"),
        include_str!("library/json/mod.rs"),
        include_str!("library/json/object.rs"),
        include_str!("library/json/array.rs"),
        include_str!("library/subprocess.rs"),
        include_str!("library/reflect.rs"),
        include_str!("library/regex.rs"),
        include_str!("library/crypto.rs"),
        include_str!("library/compress.rs"),
        include_str!("library/config.rs"),
        include_str!("library/memory.rs"),
        include_str!("ffi/strings.rs"),
        include_str!("ffi/callbacks.rs"),
        include_str!("library/hashmap.rs"),
        include_str!("exception.rs"),
        include_str!("format.rs"),
        include_str!("literal.rs"),
        include_str!("lang.rs"),
        include_str!("guard.rs"),
        include_str!("green.rs"),
        include_str!("generator.rs"),
    ];

    /// Abi type of a Rust parameter/result type as written in the source.
    fn abi_of(rust: &str) -> AbiType {
        match rust.trim() {
            "i64" | "u64" => AbiType::I64,
            "Raising" => AbiType::Raising,
            "f64" => AbiType::F64,
            "u32" => AbiType::U32,
            "u8" => AbiType::U8,
            t if t.starts_with("*const ") || t.starts_with("*mut ") => AbiType::Ptr,
            t => panic!("unexpected type in an entry point signature: {t}"),
        }
    }

    /// Every `pub [unsafe] extern "C" fn` signature of `src`, up to its `{`, on one line
    /// (rustfmt spreads long ones over several).
    fn signatures(src: &str) -> Vec<String> {
        let mut found = Vec::new();
        let mut open: Option<String> = None;
        for line in src.lines() {
            let line = line.trim().replacen("pub unsafe extern", "pub extern", 1);
            if line.starts_with("pub extern \"C\" fn ") {
                open = Some(String::new());
            }
            if let Some(sig) = open.as_mut() {
                sig.push_str(&line);
                if line.ends_with('{') {
                    // No trailing comma before `)` once joined.
                    found.push(sig.replace(",)", ")"));
                    open = None;
                }
            }
        }
        found
    }

    /// (name, params, ret, diverges) parsed from the `pub [unsafe] extern "C" fn`s.
    fn declared() -> Vec<(String, Vec<AbiType>, Option<AbiType>, bool)> {
        let mut found = Vec::new();
        for src in SOURCES {
            for line in signatures(src) {
                let Some(rest) = line.strip_prefix("pub extern \"C\" fn ") else {
                    continue;
                };
                let (name, rest) = rest.split_once('(').unwrap();
                let (params, rest) = rest.split_once(')').unwrap();
                let params: Vec<AbiType> = params
                    .split(',')
                    .filter(|p| !p.trim().is_empty())
                    .map(|p| abi_of(p.split_once(':').unwrap().1))
                    .collect();
                let ret = rest.trim().trim_end_matches('{').trim();
                let (ret, diverges) = match ret.strip_prefix("->").map(str::trim) {
                    None => (None, false),
                    Some("!") => (None, true),
                    Some(t) => (Some(abi_of(t)), false),
                };
                found.push((name.to_owned(), params, ret, diverges));
            }
        }
        found
    }

    #[test]
    fn table_matches_the_source() {
        let table = entry_points();
        let declared = declared();
        assert_eq!(table.len(), declared.len(), "every extern \"C\" fn is listed exactly once");
        for (name, params, ret, diverges) in declared {
            let e =
                table.iter().find(|e| e.name == name).unwrap_or_else(|| panic!("{name} missing"));
            assert_eq!(e.params, params.as_slice(), "{name}");
            assert_eq!(e.ret, ret, "{name}");
            assert_eq!(e.diverges, diverges, "{name}");
        }
    }

    #[test]
    fn names_are_unique_and_addresses_set() {
        let syms: Vec<_> = symbols().collect();
        let names: HashSet<_> = syms.iter().map(|(n, _)| *n).collect();
        assert_eq!(names.len(), syms.len());
        for (name, addr) in syms {
            assert!(name.starts_with("qi_"));
            assert!(!addr.is_null());
        }
    }
}
