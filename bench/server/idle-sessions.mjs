// Opens N idle h2c sessions (node:http2 clients) to a port and keeps them open until told to
// close: `node idle-sessions.mjs PORT N`. Reports over IPC once every session has its SETTINGS.
import http2 from 'node:http2';

const [port, n] = process.argv.slice(2).map(Number);
const sessions = [];
let ready = 0;
for (let i = 0; i < n; i++) {
  const s = http2.connect(`http://127.0.0.1:${port}`);
  s.on('error', () => {});
  s.once('remoteSettings', () => { if (++ready === n) process.send({ ready }); });
  sessions.push(s);
}
process.on('message', () => { for (const s of sessions) s.destroy(); process.exit(0); });
