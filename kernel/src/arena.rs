//! The byte storage a kernel manages.

/// Byte storage the kernel manages.
///
/// `bytes()` is the whole reserved capacity, zero-initialised at creation. Its address must never
/// change while a kernel owns it, because hosts compute `base + offset` (upstream's
/// `extism_current_plugin_memory` contract). The kernel only ever reads and writes the committed
/// prefix of it.
pub trait Arena {
    /// The whole reserved capacity.
    fn bytes(&self) -> &[u8];
    /// The whole reserved capacity, writable.
    fn bytes_mut(&mut self) -> &mut [u8];

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
