// Sign-in deadlines (§四.2): cadres signed in by the end of March, their youth on the phone by
// the end of April. Who has not yet, as lists to work through, and the subtree's youth
// activation (how many have signed in, league members among them) from the dashboard.
import { computed, reactive } from "vue";
import { gql } from "../api.js";
import { ConnectionTable, OrgPicker, PageState, useLoad } from "../components.js";
import { me } from "../store.js";
import { can, pct } from "../util.js";

const PAGE = "pageInfo { hasNextPage endCursor } totalCount";
const ACTIVATION = `query($id: ID!) { org(id: $id) { id name }
  dashboard(orgId: $id) { dateTo youthActivation { youth activated leagueMembers leagueMembersActivated inLeagueAge rate } } }`;

export default {
  name: "DeadlinesPage",
  components: { ConnectionTable, OrgPicker, PageState },
  setup() {
    const f = reactive({ under: "", year: new Date().getFullYear() });
    const cadres = `query($under: ID, $year: Int, $first: Int, $after: String) {
      cadresNotSignedIn(under: $under, year: $year, first: $first, after: $after) { ${PAGE}
        nodes { id name position org { id name } } } }`;
    const youth = `query($under: ID, $year: Int, $first: Int, $after: String) {
      youthNotSignedIn(under: $under, year: $year, first: $first, after: $after) { ${PAGE}
        nodes { id name mobile membership org { id name } } } }`;
    // The activation of the chosen org, else of the caller's first grant's org.
    const orgId = computed(() => f.under || me.grants.find((g) => g.org)?.org.id || "");
    const state = useLoad(async () => (orgId.value && can("work:view") ? gql(ACTIVATION, { id: orgId.value }) : null), () => [orgId.value]);
    const activation = computed(() => state.data?.dashboard?.youthActivation);
    return { f, cadres, youth, state, activation, can, pct };
  },
  template: `
  <section aria-labelledby="deadline-title">
    <h2 id="deadline-title">登录情况</h2>
    <form class="toolbar" role="search" @submit.prevent>
      <label for="deadline-under" class="field-label">组织</label><OrgPicker id="deadline-under" v-model="f.under" placeholder="不选为我有权查看的全部" />
      <label for="deadline-year" class="field-label">年度</label>
      <el-input-number id="deadline-year" v-model="f.year" :min="2020" :max="2100" controls-position="right" style="width: 120px" />
    </form>
    <el-card v-if="activation" shadow="never" class="block" data-testid="activation">
      <template #header>小伙伴激活（{{ state.data.org.name }}，截至 {{ state.data.dashboard.dateTo }}）</template>
      <el-descriptions :column="3" border aria-label="小伙伴激活">
        <el-descriptions-item label="登记的小伙伴">{{ activation.youth }}</el-descriptions-item>
        <el-descriptions-item label="已激活">{{ activation.activated }}</el-descriptions-item>
        <el-descriptions-item label="激活率">{{ pct(activation.rate) }}</el-descriptions-item>
        <el-descriptions-item label="团员">{{ activation.leagueMembers }}</el-descriptions-item>
        <el-descriptions-item label="团员已激活">{{ activation.leagueMembersActivated }}</el-descriptions-item>
        <el-descriptions-item label="团员年龄内">{{ activation.inLeagueAge }}</el-descriptions-item>
      </el-descriptions>
    </el-card>
    <el-card v-if="can('cadre:view')" shadow="never" class="block">
      <template #header>3 月底前未登录的团干部</template>
      <ConnectionTable :query="cadres" path="cadresNotSignedIn" :variables="f" label="未登录的团干部">
        <el-table-column prop="name" label="姓名" />
        <el-table-column prop="position" label="职务" />
        <el-table-column label="组织"><template #default="{ row }">{{ row.org?.name || '' }}</template></el-table-column>
      </ConnectionTable>
    </el-card>
    <el-card shadow="never" class="block">
      <template #header>4 月底前未在手机端登录的小伙伴</template>
      <ConnectionTable :query="youth" path="youthNotSignedIn" :variables="f" label="未登录的小伙伴">
        <el-table-column prop="name" label="姓名" />
        <el-table-column prop="mobile" label="手机号（按规则遮挡）" />
        <el-table-column label="政治面貌"><template #default="{ row }">{{ row.membership === 'LEAGUE_MEMBER' ? '团员' : row.membership === 'YOUTH' ? '青年' : '' }}</template></el-table-column>
        <el-table-column label="组织"><template #default="{ row }">{{ row.org?.name || '' }}</template></el-table-column>
      </ConnectionTable>
    </el-card>
  </section>`,
};
