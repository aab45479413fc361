import type { WireFormat } from '../errors/render/index.ts';
import type { ClientCodec } from '../formats/canonical/codec.ts';
import type { Router } from '../routing/router.ts';
import type { UpstreamClient } from '../upstream/upstream-client.ts';

/** What the proxy routes need, wired once by app.ts. */
export interface ProxyDeps {
  router: Router;
  upstream: UpstreamClient;
}

/** A client wire format as a route serves it: its codec and the shape its errors take. */
export interface ClientFormat {
  codec: ClientCodec;
  wireFormat: WireFormat;
}
