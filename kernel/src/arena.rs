//! The byte storage a kernel manages.

/// Byte storage the kernel manages.
///
/// `bytes()` is the reserved part, zero-initialised at creation. Its address changes only in
/// `grow_to` (hosts compute `base + offset`, so an arena that moves says when: see `grow_to`). The
/// kernel only ever reads and writes the committed prefix of it.
pub trait Arena {
    /// The reserved part.
    fn bytes(&self) -> &[u8];
    /// The reserved part, writable.
    fn bytes_mut(&mut self) -> &mut [u8];

    /// Most bytes `bytes()` may grow to with `grow_to`. The default: what is reserved now (an
    /// arena that never grows).
    fn capacity(&self) -> usize {
        self.bytes().len()
    }

    /// Makes `bytes()` at least `len` long (at most `capacity()`), its contents kept and the new
    /// bytes zero; false (nothing changed) when it cannot. It may move the bytes: the kernel only
    /// calls it from an allocation that needs more memory than is reserved. The default cannot.
    fn grow_to(&mut self, len: usize) -> bool {
        len <= self.bytes().len()
    }

    /// Sets `bytes()[range]` to zero (a range outside the capacity is ignored). The kernel's wipe
    /// uses it on everything plugins may have written. The default writes zeros; an arena over
    /// lazily committed pages may instead give whole pages back to the system, as long as they read
    /// as zero afterwards, so that a wipe never makes resident memory the plugin left untouched.
    fn zero(&mut self, range: core::ops::Range<usize>) {
        if let Some(area) = self.bytes_mut().get_mut(range) {
            area.fill(0);
        }
    }
}

/// Any owned byte buffer works: `Box<[u8]>`, `Vec<u8>` (never resized by the kernel), `[u8; N]`,
/// `&mut [u8]`.
impl<T: AsRef<[u8]> + AsMut<[u8]>> Arena for T {
    fn bytes(&self) -> &[u8] {
        self.as_ref()
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        self.as_mut()
    }
}
