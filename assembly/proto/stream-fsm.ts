// The stream state machine of RFC 9113 §5.1 (diagram below), driven by the generated table.
//
//                               +--------+
//                       send PP |        | recv PP
//                      ,--------+  idle  +--------.
//                     /         |        |         \
//                    v          +--------+          v
//             +----------+          |           +----------+
//             |          |          | send H /  |          |
//      ,------+ reserved |          | recv H    | reserved +------.
//      |      | (local)  |          |           | (remote) |      |
//      |      +---+------+          v           +------+---+      |
//      |          |             +--------+             |          |
//      |          |     recv ES |        | send ES     |          |
//      |   send H |     ,-------+  open  +-------.     | recv H   |
//      |          |    /        |        |        \    |          |
//      |          v   v         +---+----+         v   v          |
//      |      +----------+          |           +----------+      |
//      |      |   half-  |          |           |   half-  |      |
//      |      |  closed  |          | send R /  |  closed  |      |
//      |      | (remote) |          | recv R    | (local)  |      |
//      |      +----+-----+          |           +-----+----+      |
//      |           |                |                 |           |
//      |           | send ES /      |       recv ES / |           |
//      |           |  send R /      v        send R / |           |
//      |           |  recv R    +--------+   recv R   |           |
//      | send R /  `----------->|        |<-----------'  send R / |
//      | recv R                 | closed |               recv R   |
//      `----------------------->|        |<-----------------------'
//                               +--------+
import { STREAM_FSM, INPUT_COUNT } from './stream-fsm.gen';
export * from './stream-fsm.gen';

/** (effect << 8) | next state for a stream in `state` meeting `input`. */
// @ts-ignore: decorator
@inline export function transition(state: u32, input: u32): u32 {
  return load<u16>(STREAM_FSM + ((<usize>(state * INPUT_COUNT + input)) << 1));
}
// @ts-ignore: decorator
@inline export function nextState(t: u32): u32 { return t & 0xff; }
// @ts-ignore: decorator
@inline export function effectOf(t: u32): u32 { return t >> 8; }
