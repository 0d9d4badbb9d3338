import { useApi } from '../app/api.js';
import { useSession } from '../app/session.js';

/** The teams the signed-in person may request for (owner or member; every team for an admin). */
export function useWritableTeams() {
  const { me } = useSession();
  return useApi(`teams:writable:${me.user.admin}`, async (client) => {
    if (me.user.admin) return (await client.listTeams({ limit: 100 })).items.map((t) => t.name);
    return me.memberships.filter((m) => m.role === 'owner' || m.role === 'member').map((m) => m.teamName);
  });
}

/** The teams the signed-in person may look at (every membership; every team for an admin). */
export function useVisibleTeams() {
  const { me } = useSession();
  return useApi(`teams:visible:${me.user.admin}`, async (client) => {
    if (me.user.admin) return (await client.listTeams({ limit: 100 })).items.map((t) => t.name);
    return me.memberships.map((m) => m.teamName);
  });
}
