//! The protocol's limits and timings, which clients must respect.

use std::time::Duration;

/// Frames above this size close the connection (close code 1009) at the transport.
pub const MAX_TRANSPORT_BYTES: usize = 64 * 1024;
/// Frames above this size are refused with `frame_too_large`; the connection stays.
pub const MAX_FRAME_BYTES: usize = 16 * 1024;
/// The first frame must be `hello`, within this delay.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// The server pings this often; the browser's pongs (and any frame) prove the client alive.
pub const PING_EVERY: Duration = Duration::from_secs(5);
/// A client from which nothing (frame or pong) arrived for this long is gone: the server
/// closes with 4408 and treats it as a lost connection. A client that received nothing
/// (frames, `pong` answers to its own `ping`) for this long does the same on its side.
pub const SILENCE_TIMEOUT: Duration = Duration::from_secs(15);
/// A client sends `ping` this often when it has sent nothing else, so that both sides notice
/// a dead network within [`SILENCE_TIMEOUT`].
pub const CLIENT_PING_EVERY: Duration = Duration::from_secs(5);
/// Frames of any kind a socket may send per second, on average…
pub const FRAMES_PER_SECOND: u32 = 20;
/// …with bursts up to this many.
pub const FRAME_BURST: u32 = 40;
/// A socket that keeps exceeding the frame rate (this many refused frames in a row) is closed
/// with 1008.
pub const REFUSED_FRAMES_BEFORE_CLOSE: u32 = 200;
/// Messages (`send`) a socket may commit per second, on average…
pub const MESSAGES_PER_SECOND: u32 = 2;
/// …with bursts up to this many (pasting a few lines, resending after a reconnect).
pub const MESSAGE_BURST: u32 = 20;
/// `typing` notices relayed to the other side at most once per this interval (more are
/// accepted and dropped).
pub const TYPING_EVERY: Duration = Duration::from_secs(2);
