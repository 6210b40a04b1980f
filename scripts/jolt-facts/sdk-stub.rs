#[derive(Clone, Copy, Debug, Default)]
pub struct FormatInline { pub rs1: u8, pub rs2: u8, pub rs3: u8 }
pub trait InlineAdviceContext {
    fn register(&self, i: usize) -> u64;
    fn load_doubleword(&mut self, address: u64) -> Option<u64>;
}
#[derive(Debug)]
pub enum InlineAdviceError { InvalidLoad { address: u64 }, Other(String) }
