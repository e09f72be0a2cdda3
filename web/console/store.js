// Who is logged in and what they may do, loaded once per login from `me`.
import { reactive } from "vue";
import { gql } from "./api.js";

export const me = reactive({ loaded: false, user: null, grants: [], cadre: null });

const ME = `{ me { user { id displayName username }
  grants { id role delegated permissions org { id name level } }
  cadre { id name kind org { id name } } } }`;

export async function loadMe() {
  const data = await gql(ME);
  Object.assign(me, data.me, { loaded: true });
  return me;
}

export function forgetMe() {
  Object.assign(me, { loaded: false, user: null, grants: [], cadre: null });
}
