# What content test applies (sandlot content test builtin-content/zig-build-and-run): the
# tutorial's own commands, in order.
# session: laborant@dev
mkdir -p ~/hello && cd ~/hello
cat > hello.zig <<'ZIG'
const std = @import("std");

pub fn main() !void {
    const stdout = std.io.getStdOut().writer();
    try stdout.print("Hello, Sandlot!\n", .{});
}
ZIG
examinerctl task wait verify_source
zig build-exe hello.zig
./hello
examinerctl task wait verify_binary
mkdir -p ~/greeter && cd ~/greeter
zig init-exe
zig build
examinerctl task wait verify_project
zig version | examinerctl task input verify_version_answer
examinerctl task wait verify_version_answer
