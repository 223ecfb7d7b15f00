// A reflection tool as users run it: grpc-js-reflection-client (npm), which speaks
// grpc.reflection.v1alpha by default, lists the services of each Lattice server, downloads a
// service's descriptors by symbol, builds a @grpc/grpc-js client from them alone and calls it.
//
// Usage: node reflection-tools.mjs <host:port>=<service full name> ...
// Prints one JSON line per server: {"target", "services", "methods", "call": {"code", "details"}}.
// Exits 1 when a server does not answer reflection or the reflected client cannot call it.
import * as grpc from "@grpc/grpc-js";
import { GrpcReflection } from "grpc-js-reflection-client";

const LOADER = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

/** Calls the service's first method with an empty request; resolves to the status it ends with. */
function callFirstMethod(Client, target, method) {
  const client = new Client(target, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client[method]({}, { deadline: Date.now() + 5000 }, (error) => {
      client.close();
      resolve(error ? { code: grpc.status[error.code], details: error.details } : { code: "OK" });
    });
  });
}

let failed = false;
for (const arg of process.argv.slice(2)) {
  const [target, service] = arg.split("=");
  try {
    const reflection = new GrpcReflection(target, grpc.ChannelCredentials.createInsecure());
    const services = await reflection.listServices();
    const methods = (await reflection.listMethods(service)).map((m) => m.name);
    const descriptor = await reflection.getDescriptorBySymbol(service);
    let Client = descriptor.getPackageObject(LOADER);
    for (const part of service.split(".")) Client = Client[part];
    const call = await callFirstMethod(Client, target, methods[0]);
    console.log(JSON.stringify({ target, service, services, methods, call }));
  } catch (error) {
    failed = true;
    console.log(JSON.stringify({ target, service, error: String(error?.message ?? error) }));
  }
}
process.exit(failed ? 1 : 0);
