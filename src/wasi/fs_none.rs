//! Without `std` there is no file system: no directory can be preopened (a manifest with
//! `allowed_paths` fails creation when WASI is on), so no file or directory is ever open and these
//! types have no values. The methods mirror `fs_std` so the WASI functions are written once.

use alloc::string::String;
use alloc::vec::Vec;

use super::errno::Errno;
use super::fd::{DirEntry, Filestat, Opened, Times};

pub enum Dir {}
pub enum File {}

impl Dir {
    pub fn preopen(_host: &str, _guest: &str, _read_only: bool) -> Result<Dir, String> {
        Err(String::from("allowed_paths needs a file system, and this build has none (no `std` feature)"))
    }
    pub fn preopen_name(&self) -> Option<&str> {
        match *self {}
    }
    pub fn filestat(&self) -> Result<Filestat, Errno> {
        match *self {}
    }
    pub fn set_times(&self, _: &Times) -> Result<(), Errno> {
        match *self {}
    }
    pub fn open(&self, _: &str, _: bool, _: u16, _: bool, _: bool, _: u16) -> Result<Opened, Errno> {
        match *self {}
    }
    pub fn create_dir(&self, _: &str) -> Result<(), Errno> {
        match *self {}
    }
    pub fn remove_dir(&self, _: &str) -> Result<(), Errno> {
        match *self {}
    }
    pub fn unlink(&self, _: &str) -> Result<(), Errno> {
        match *self {}
    }
    pub fn rename(&self, _: &str, _: &Dir, _: &str) -> Result<(), Errno> {
        match *self {}
    }
    pub fn link(&self, _: &str, _: bool, _: &Dir, _: &str) -> Result<(), Errno> {
        match *self {}
    }
    pub fn symlink(&self, _: &str, _: &str) -> Result<(), Errno> {
        match *self {}
    }
    pub fn readlink(&self, _: &str) -> Result<Vec<u8>, Errno> {
        match *self {}
    }
    pub fn path_filestat(&self, _: &str, _: bool) -> Result<Filestat, Errno> {
        match *self {}
    }
    pub fn path_set_times(&self, _: &str, _: bool, _: &Times) -> Result<(), Errno> {
        match *self {}
    }
    pub fn entries(&self) -> Result<Vec<DirEntry>, Errno> {
        match *self {}
    }
}

impl File {
    pub fn read(&mut self, _: &mut [u8]) -> Result<usize, Errno> {
        match *self {}
    }
    pub fn write(&mut self, _: &[u8]) -> Result<usize, Errno> {
        match *self {}
    }
    pub fn pread(&mut self, _: &mut [u8], _: u64) -> Result<usize, Errno> {
        match *self {}
    }
    pub fn pwrite(&mut self, _: &[u8], _: u64) -> Result<usize, Errno> {
        match *self {}
    }
    pub fn seek(&mut self, _: i64, _: u8) -> Result<u64, Errno> {
        match *self {}
    }
    pub fn filestat(&self) -> Result<Filestat, Errno> {
        match *self {}
    }
    pub fn set_size(&mut self, _: u64) -> Result<(), Errno> {
        match *self {}
    }
    pub fn sync(&mut self, _: bool) -> Result<(), Errno> {
        match *self {}
    }
    pub fn set_times(&mut self, _: &Times) -> Result<(), Errno> {
        match *self {}
    }
    pub fn flags(&self) -> u16 {
        match *self {}
    }
    pub fn set_flags(&mut self, _: u16) {
        match *self {}
    }
}
