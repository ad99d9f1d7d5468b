// Runs the browser bundle of portcullis/client in Node with the native
// WebSocket, as a page would; the bundle's chunks shadow Buffer (the test
// writes them so). Prints what it saw as JSON.
const [entry, url] = process.argv.slice(2)
globalThis.window = globalThis
const { PortcullisClient } = await import(entry)
const client = new PortcullisClient(url, { reconnect: false })
const pushes = []
client.on('push', (push) => pushes.push(push.payload))
const welcome = await client.connect()
const echoed = await client.request('echo', { bytes: new Uint8Array([1, 2]) })
await client.request('push-me', 3)
await new Promise((resolve) => setTimeout(resolve, 50))
await client.close()
console.log(
  JSON.stringify({
    sessionId: welcome.sessionId,
    echoed: [...echoed.bytes],
    pushes,
  }),
)
