/** The part of bittorrent-tracker's server (11.x, plain JavaScript) the WebSocket interop test uses. */
declare module 'bittorrent-tracker/server' {
  import type { EventEmitter } from 'node:events';
  import type { Server as HttpServer } from 'node:http';

  export default class Server extends EventEmitter {
    constructor(options: { udp?: boolean; http?: boolean; ws?: boolean; stats?: boolean });
    /** The HTTP server the WebSocket server is attached to (made even with `http: false`). */
    http: HttpServer;
    listen(port: number, hostname: string, onListening: () => void): void;
    close(callback: () => void): void;
  }
}
