-- A small Lua program for the bundled lua guest:
--   cargo run --release -- run guests/bin/rv64/lua.elf --stdin guests/examples/hello.lua
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print("Hello from Lua " .. _VERSION:sub(5) .. " inside the zkdbg RISC-V emulator")
for n = 10, 25, 5 do print(string.format("fib(%d) = %d", n, fib(n))) end
