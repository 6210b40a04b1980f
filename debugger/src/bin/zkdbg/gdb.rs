//! `zkdbg gdb`: the GDB remote stub.

use crate::args::{GdbArgs, GuestArgs};
use anyhow::Result;

#[derive(clap::Args, Debug)]
pub struct GdbCommandArgs {
    #[command(flatten)]
    guest: GuestArgs,
    #[command(flatten)]
    gdb: GdbArgs,
}

pub fn main(a: GdbCommandArgs) -> Result<i32> {
    zkdbg::gdb::serve(&a.guest.into(), &a.gdb.into())?;
    Ok(0)
}
