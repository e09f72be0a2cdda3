// Working groups: members, the subtree each answers for, and that subtree's figures.
import { ref } from "vue";
import { ConnectionTable } from "../components.js";
import { label } from "../util.js";

export default {
  name: "GroupsPage",
  components: { ConnectionTable },
  setup() {
    const query = `query($first: Int, $after: String) { workingGroups(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor } totalCount
      nodes { id name isActive org { name } leader { name }
        members(first: 100) { nodes { id name kind } }
        responsibleOrg { id name cadreCount youthCount dashboard { activeCadres youthInContact logs } } } } }`;
    const rows = ref([]);
    return { query, rows, label };
  },
  template: `
  <section aria-labelledby="groups-title">
    <h2 id="groups-title">工作小组</h2>
    <ConnectionTable :query="query" path="workingGroups" :variables="{}" label="工作小组列表" :page-size="10">
      <el-table-column prop="name" label="小组" />
      <el-table-column label="组长"><template #default="{ row }">{{ row.leader?.name || '' }}</template></el-table-column>
      <el-table-column label="成员"><template #default="{ row }">{{ row.members.nodes.map(m => m.name).join('、') }}</template></el-table-column>
      <el-table-column label="负责的子树"><template #default="{ row }">
        <router-link v-if="row.responsibleOrg" :to="'/orgs/' + row.responsibleOrg.id + '/dashboard'">{{ row.responsibleOrg.name }}</router-link></template></el-table-column>
      <el-table-column label="团干部 / 活跃"><template #default="{ row }">{{ row.responsibleOrg ? row.responsibleOrg.cadreCount + ' / ' + row.responsibleOrg.dashboard.activeCadres : '' }}</template></el-table-column>
      <el-table-column label="联系小伙伴"><template #default="{ row }">{{ row.responsibleOrg?.dashboard.youthInContact }}</template></el-table-column>
      <el-table-column label="本月日志"><template #default="{ row }">{{ row.responsibleOrg?.dashboard.logs }}</template></el-table-column>
    </ConnectionTable>
  </section>`,
};
