// Points rankings in an org's subtree: its cadres, its child orgs, and my own rank.
import { ref } from "vue";
import { gql } from "../api.js";
import { PageState, useLoad } from "../components.js";
import { me } from "../store.js";

const RANKING = `query($id: ID!, $from: Date, $to: Date, $after: String) {
  org(id: $id) { id name }
  cadreRanking(orgId: $id, dateFrom: $from, dateTo: $to, first: 50, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { rank cadreId name points orgId } }
  orgRanking(orgId: $id, dateFrom: $from, dateTo: $to, first: 100) { nodes { rank points cadres pointsPerCadre org { id name } } } }`;

export default {
  name: "RankingPage",
  components: { PageState },
  props: { id: { type: String, required: true } },
  setup(props) {
    const period = ref(null);
    const after = ref(null);
    const state = useLoad(async () => {
      const [from, to] = period.value || [null, null];
      return gql(RANKING, { id: props.id, from, to, after: after.value });
    }, () => [props.id, period.value, after.value]);
    const mine = useLoad(async () => {
      if (!me.cadre) return null;
      const [from, to] = period.value || [null, null];
      return (await gql(`query($id: ID, $from: Date, $to: Date) { myRank(orgId: $id, dateFrom: $from, dateTo: $to) { rank of points } }`, { id: props.id, from, to })).myRank;
    }, () => [props.id, period.value, me.cadre]);
    return { state, mine, period, after };
  },
  template: `
  <PageState :state="state">
    <section v-if="state.data" aria-labelledby="rank-title">
      <div class="page-head">
        <h2 id="rank-title">{{ state.data.org.name }} · 积分排名</h2>
        <label for="rank-period" class="field-label">区间（默认本月）</label>
        <el-date-picker :id="['rank-period', 'rank-period-end']" v-model="period" type="daterange" value-format="YYYY-MM-DD" start-placeholder="开始" end-placeholder="结束" />
      </div>
      <el-alert v-if="mine.data" type="success" :closable="false"
        :title="mine.data.rank ? '我的排名：第 ' + mine.data.rank + ' / ' + mine.data.of + ' 名，' + mine.data.points + ' 分' : '我本区间暂无积分'" />
      <div class="grid2">
        <el-card shadow="never"><template #header>下级组织排名</template>
          <el-table :data="state.data.orgRanking.nodes" aria-label="下级组织排名" size="small" empty-text="没有下级组织">
            <el-table-column prop="rank" label="名次" width="70" />
            <el-table-column label="组织"><template #default="{ row }"><router-link v-if="row.org" :to="'/orgs/' + row.org.id + '/ranking'">{{ row.org.name }}</router-link></template></el-table-column>
            <el-table-column prop="points" label="积分" /><el-table-column prop="cadres" label="团干部" />
            <el-table-column label="人均"><template #default="{ row }">{{ row.pointsPerCadre.toFixed(1) }}</template></el-table-column>
          </el-table></el-card>
        <el-card shadow="never"><template #header>团干部排名（共 {{ state.data.cadreRanking.totalCount }} 人）</template>
          <el-table :data="state.data.cadreRanking.nodes" aria-label="团干部排名" size="small" empty-text="暂无积分">
            <el-table-column prop="rank" label="名次" width="70" /><el-table-column prop="name" label="团干部" />
            <el-table-column prop="points" label="积分" />
          </el-table>
          <div class="pager"><el-button size="small" :disabled="!after" @click="after = null">第一页</el-button>
            <el-button size="small" :disabled="!state.data.cadreRanking.pageInfo.hasNextPage" @click="after = state.data.cadreRanking.pageInfo.endCursor">下一页</el-button></div>
        </el-card>
      </div>
    </section>
  </PageState>`,
};
