//! The one lock type of the runtime, and a once-cell built on it.
//!
//! Under `std` a `Lock` is the OS mutex (waiting threads sleep). Without `std` it is the host's lock
//! when the host installed one (`extism_x_set_lock`: an RTOS mutex, which puts a waiting task to
//! sleep and lends the holder its priority), a spin lock otherwise (firmware without a scheduler has
//! nothing to sleep on; a spin lock wanted by a higher-priority task on the same core while a lower
//! one holds it would spin forever, which is why an RTOS host installs its own).

#[cfg(not(feature = "std"))]
pub use nostd::{install_host_lock, HostLock};

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
pub use nostd::{Guard, Lock};

/// A value made once, by the first caller, whose maker may take a while (a linker, a link check):
/// the others wait on a `Lock` (the host's lock when installed) rather than spin on the cell, so a
/// preempted maker is never spun on by a higher-priority task.
pub struct Once<T> {
    value: spin::Once<T>,
    making: Lock<()>,
}

impl<T> Once<T> {
    pub const fn new() -> Self {
        Once { value: spin::Once::new(), making: Lock::new(()) }
    }

    /// The value, made by `make` if nobody has made it yet.
    pub fn call_once(&self, make: impl FnOnce() -> T) -> &T {
        if let Some(value) = self.value.get() {
            return value;
        }
        let _making = self.making.lock();
        self.value.call_once(make)
    }
}

#[cfg(not(feature = "std"))]
mod nostd {
    use core::cell::UnsafeCell;
    use core::ffi::c_void;
    use core::ops::{Deref, DerefMut};
    use core::ptr;
    use core::sync::atomic::{AtomicPtr, AtomicU8, Ordering};

    /// The host's lock (extism.h, `extism_x_set_lock`): four callbacks and their `user_data`.
    #[derive(Clone, Copy)]
    pub struct HostLock {
        pub create: unsafe extern "C" fn(user_data: *mut c_void) -> *mut c_void,
        pub lock: unsafe extern "C" fn(user_data: *mut c_void, lock: *mut c_void),
        pub unlock: unsafe extern "C" fn(user_data: *mut c_void, lock: *mut c_void),
        pub destroy: unsafe extern "C" fn(user_data: *mut c_void, lock: *mut c_void),
        pub user_data: *mut c_void,
    }

    /// Nothing decided yet: no lock taken, no host lock.
    const OPEN: u8 = 0;
    /// The host's lock is being written (lockers wait).
    const INSTALLING: u8 = 1;
    /// Every lock is the host's, for the rest of the process.
    const HOSTED: u8 = 2;
    /// A lock was taken first: spin locks for the rest of the process.
    const SPINNING: u8 = 3;

    struct Mode {
        state: AtomicU8,
        host: UnsafeCell<Option<HostLock>>,
    }

    // SAFETY: `host` is written once, before `state` becomes HOSTED (release), and only read after
    // `state` was seen as HOSTED (acquire); the runtime never dereferences the host's pointers, it
    // hands them back to the host's callbacks, which extism.h declares callable from any thread.
    unsafe impl Sync for Mode {}

    static MODE: Mode = Mode { state: AtomicU8::new(OPEN), host: UnsafeCell::new(None) };

    /// Makes `host` the lock of every `Lock`; false once any lock has been taken (a lock must be
    /// released by the kind of lock that took it) or a host lock was installed.
    pub fn install_host_lock(host: HostLock) -> bool {
        if MODE.state.compare_exchange(OPEN, INSTALLING, Ordering::Acquire, Ordering::Acquire).is_err() {
            return false;
        }
        // SAFETY: INSTALLING makes this the only access to `host` until the release below.
        unsafe { *MODE.host.get() = Some(host) };
        MODE.state.store(HOSTED, Ordering::Release);
        true
    }

    /// The host's lock, or None when spin locks serve (deciding that at the first lock taken).
    fn host_lock() -> Option<HostLock> {
        loop {
            match MODE.state.load(Ordering::Acquire) {
                // SAFETY: written before the release that published HOSTED; never written again.
                HOSTED => return unsafe { *MODE.host.get() },
                SPINNING => return None,
                OPEN => {
                    if MODE.state.compare_exchange(OPEN, SPINNING, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                        return None;
                    }
                }
                _ => core::hint::spin_loop(), // INSTALLING: a few stores away from HOSTED
            }
        }
    }

    /// The lock itself, apart from the value: one copy of this code for every `Lock<T>`.
    struct RawLock {
        spin: spin::Mutex<()>,
        /// The host's lock object for this lock, made at its first use (statics cannot call the host).
        host: AtomicPtr<c_void>,
    }

    enum Held<'a> {
        /// Unlocks as it drops.
        Spin { _guard: spin::MutexGuard<'a, ()> },
        Host(HostLock, *mut c_void),
    }

    impl RawLock {
        const fn new() -> Self {
            RawLock { spin: spin::Mutex::new(()), host: AtomicPtr::new(ptr::null_mut()) }
        }

        fn lock(&self) -> Held<'_> {
            match host_lock() {
                Some(host) => {
                    let object = self.host_object(&host);
                    // SAFETY: an object `host.create` made, not destroyed while `self` lives.
                    unsafe { (host.lock)(host.user_data, object) };
                    Held::Host(host, object)
                }
                None => Held::Spin { _guard: self.spin.lock() },
            }
        }

        /// This lock's object of the host, made by the first locker (the loser of a race destroys its own).
        fn host_object(&self, host: &HostLock) -> *mut c_void {
            let existing = self.host.load(Ordering::Acquire);
            if !existing.is_null() {
                return existing;
            }
            // SAFETY: the host's callback, with its own user_data (extism.h contract).
            let made = unsafe { (host.create)(host.user_data) };
            if made.is_null() {
                // The header's contract: a lock that cannot be made is out of memory.
                alloc::alloc::handle_alloc_error(core::alloc::Layout::new::<usize>());
            }
            match self.host.compare_exchange(ptr::null_mut(), made, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => made,
                Err(winner) => {
                    // SAFETY: `made` came from `create` and nobody else has seen it.
                    unsafe { (host.destroy)(host.user_data, made) };
                    winner
                }
            }
        }
    }

    impl Drop for RawLock {
        fn drop(&mut self) {
            let object = *self.host.get_mut();
            if object.is_null() {
                return;
            }
            // A lock object exists only once the host's lock is installed, which is for good.
            if let Some(host) = host_lock() {
                // SAFETY: made by `create`, unlocked (no guard outlives the lock), destroyed once.
                unsafe { (host.destroy)(host.user_data, object) };
            }
        }
    }

    impl Drop for Held<'_> {
        fn drop(&mut self) {
            if let Held::Host(host, object) = *self {
                // SAFETY: this guard locked `object` and unlocks it once, on the same thread.
                unsafe { (host.unlock)(host.user_data, object) };
            }
        }
    }

    pub struct Lock<T> {
        raw: RawLock,
        value: UnsafeCell<T>,
    }

    // SAFETY: `value` is only reached through a `Guard`, which holds the spin lock or the host's lock.
    unsafe impl<T: Send> Sync for Lock<T> {}
    // SAFETY: as above; moving the lock moves the value.
    unsafe impl<T: Send> Send for Lock<T> {}

    impl<T> Lock<T> {
        pub const fn new(value: T) -> Self {
            Lock { raw: RawLock::new(), value: UnsafeCell::new(value) }
        }

        pub fn lock(&self) -> Guard<'_, T> {
            Guard { lock: self, _held: self.raw.lock() }
        }
    }

    /// Access to a `Lock`'s value; unlocks when dropped (on the thread that locked: it is not Send).
    pub struct Guard<'a, T> {
        lock: &'a Lock<T>,
        _held: Held<'a>,
    }

    impl<T> Deref for Guard<'_, T> {
        type Target = T;
        fn deref(&self) -> &T {
            // SAFETY: the guard holds the lock, so no other reference to the value exists.
            unsafe { &*self.lock.value.get() }
        }
    }

    impl<T> DerefMut for Guard<'_, T> {
        fn deref_mut(&mut self) -> &mut T {
            // SAFETY: as for deref, and `&mut self` makes this the only reference through the guard.
            unsafe { &mut *self.lock.value.get() }
        }
    }
}
