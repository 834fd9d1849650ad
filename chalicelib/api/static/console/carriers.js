// The platform's carrier list, read once per page load.
import { call } from "./api.js";

let loaded;

export function carriers() {
  loaded = loaded || call("GET", "/v1/carriers").then(a => a.items).catch(error => { loaded = null; throw error; });
  return loaded;
}

export async function carrierOptions(withAny) {
  let list = [];
  try {
    list = await carriers();
  } catch {
    list = [];
  }
  const options = list.map(c => [c.carrier_code, c.carrier_code + " " + c.name]);
  return withAny ? [["", "全部 Any"], ...options] : options;
}
