//! The `内存` module (builtins.md §G.3/§G.4): raw 8-byte reads and writes for programs
//! that call C (docs/FFI.md). Nothing is checked but null: the program gives an address
//! (a `指针` from C, or `&变量`) and a byte offset, and a wrong one can crash the process
//! or corrupt memory, as in C. A null address reads 0 and writes nothing.

/// `读整数(指针, 字节偏移)`: the 64-bit integer at `p + offset` (any alignment).
#[no_mangle]
pub extern "C" fn qi_mem_read_i64(p: i64, offset: i64) -> i64 {
    if p == 0 {
        return 0;
    }
    let at = (p as usize).wrapping_add(offset as usize) as *const i64;
    // SAFETY: none can be given — the address comes from the program, which takes the
    // responsibility (docs/FFI.md); an unaligned read is what C code may hand out.
    unsafe { at.read_unaligned() }
}

/// `写整数(指针, 字节偏移, 值)`: store the 64-bit `value` at `p + offset`.
#[no_mangle]
pub extern "C" fn qi_mem_write_i64(p: i64, offset: i64, value: i64) {
    if p == 0 {
        return;
    }
    let at = (p as usize).wrapping_add(offset as usize) as *mut i64;
    // SAFETY: as for `qi_mem_read_i64`: the program vouches for the address.
    unsafe { at.write_unaligned(value) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_reads_at_byte_offsets() {
        let mut buf = [0u8; 24];
        let p = buf.as_mut_ptr() as i64;
        qi_mem_write_i64(p, 0, -7);
        qi_mem_write_i64(p, 9, 1 << 40);
        assert_eq!(qi_mem_read_i64(p, 0), -7);
        assert_eq!(qi_mem_read_i64(p, 9), 1 << 40);
        assert_eq!(buf[9..17], (1i64 << 40).to_ne_bytes());
    }

    #[test]
    fn null_reads_zero_and_writes_nothing() {
        assert_eq!(qi_mem_read_i64(0, 8), 0);
        qi_mem_write_i64(0, 8, 1);
    }
}
