// h2wasm: node:http2's Core API on the h2wasm engine (createServer, createSecureServer, connect,
// performServerHandshake, constants, the settings helpers and the classes), and the
// Compatibility API (Http2ServerRequest, Http2ServerResponse; compat.ts).
import { constants } from './constants.gen.ts';
import { getDefaultSettings, getPackedSettings, getUnpackedSettings } from './settings.ts';
import { sensitiveHeaders } from './headers.ts';
import { createServer, createSecureServer, performServerHandshake, Http2Server, Http2SecureServer } from './server.ts';
import { connect } from './client.ts';
import { Http2Session, ServerHttp2Session, ClientHttp2Session } from './session.ts';
import { Http2Stream, ServerHttp2Stream, ClientHttp2Stream } from './stream.ts';
import { Http2ServerRequest, Http2ServerResponse } from './compat.ts';

export {
  constants, getDefaultSettings, getPackedSettings, getUnpackedSettings, sensitiveHeaders, createServer,
  createSecureServer, performServerHandshake, connect, Http2Server, Http2SecureServer, Http2Session,
  ServerHttp2Session, ClientHttp2Session, Http2Stream, ServerHttp2Stream, ClientHttp2Stream,
  Http2ServerRequest, Http2ServerResponse,
};

export default {
  constants, getDefaultSettings, getPackedSettings, getUnpackedSettings, sensitiveHeaders, createServer,
  createSecureServer, performServerHandshake, connect, Http2Server, Http2SecureServer, Http2Session,
  ServerHttp2Session, ClientHttp2Session, Http2Stream, ServerHttp2Stream, ClientHttp2Stream,
  Http2ServerRequest, Http2ServerResponse,
};
