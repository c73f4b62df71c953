//! The one lock type of the runtime: the OS mutex under `std` (waiting threads sleep), a spin lock
//! otherwise (firmware has no scheduler to sleep on).

#[cfg(feature = "std")]
pub struct Lock<T>(std::sync::Mutex<T>);

#[cfg(feature = "std")]
pub type Guard<'a, T> = std::sync::MutexGuard<'a, T>;

#[cfg(feature = "std")]
impl<T> Lock<T> {
    pub const fn new(value: T) -> Self {
        Lock(std::sync::Mutex::new(value))
    }
    /// A panic never unwinds here (panic = abort), so a poisoned lock only means "still usable".
    pub fn lock(&self) -> Guard<'_, T> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(not(feature = "std"))]
pub struct Lock<T>(spin::Mutex<T>);

#[cfg(not(feature = "std"))]
pub type Guard<'a, T> = spin::MutexGuard<'a, T>;

#[cfg(not(feature = "std"))]
impl<T> Lock<T> {
    pub const fn new(value: T) -> Self {
        Lock(spin::Mutex::new(value))
    }
    pub fn lock(&self) -> Guard<'_, T> {
        self.0.lock()
    }
}
