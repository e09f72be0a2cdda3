// An org's work dashboard: figures, charts (ECharts) and the same figures as tables.
import { computed, ref } from "vue";
import { useRouter } from "vue-router";
import { gql } from "../api.js";
import { EChart, PageState, useLoad } from "../components.js";
import { isoDate, label, pct } from "../util.js";

const DASHBOARD = `query($id: ID!, $from: Date, $to: Date) {
  org(id: $id) { id name ancestors { id name } }
  dashboard(orgId: $id, dateFrom: $from, dateTo: $to) {
    dateFrom dateTo cadres activeCadres youthInContact youthInvited logs
    logsByKind { key count } logsByChannel { key count }
    mobileUse { cadresSignedIn cadresOnMobile logs logsFromMobile }
    industryMix { cadreId name youth industries mix { key count } }
    fiveOnesByChild { cadres done rate org { id name } }
    learnAndDoByChild { cadres done rate org { id name } }
    weekly { weekStart logs contacts activities } } }`;

function bars(rows, name, value, seriesName) {
  return {
    tooltip: { trigger: "axis" },
    grid: { left: 48, right: 16, top: 24, bottom: 64 },
    xAxis: { type: "category", data: rows.map(name), axisLabel: { rotate: rows.length > 6 ? 30 : 0 } },
    yAxis: { type: "value" },
    series: [{ name: seriesName, type: "bar", data: rows.map(value), itemStyle: { color: "#c0392b" } }],
  };
}
function pie(rows, kind, seriesName) {
  return {
    tooltip: { trigger: "item" },
    legend: { bottom: 0 },
    series: [{ name: seriesName, type: "pie", radius: ["35%", "65%"], data: rows.map((r) => ({ name: label(kind, r.key), value: r.count })) }],
  };
}

export default {
  name: "DashboardPage",
  components: { EChart, PageState },
  props: { id: { type: String, required: true } },
  setup(props) {
    const router = useRouter();
    const period = ref(null);
    const state = useLoad(async () => {
      const [from, to] = period.value || [null, null];
      return gql(DASHBOARD, { id: props.id, from, to });
    }, () => [props.id, period.value]);
    const d = computed(() => state.data?.dashboard);
    const charts = computed(() => {
      if (!d.value) return null;
      const x = d.value;
      return {
        kind: pie(x.logsByKind, "logKind", "日志"),
        channel: pie(x.logsByChannel, "channel", "联系"),
        fiveOnes: bars(x.fiveOnesByChild, (r) => r.org?.name || "—", (r) => Math.round(r.rate * 1000) / 10, "五个一完成率（%）"),
        learn: bars(x.learnAndDoByChild, (r) => r.org?.name || "—", (r) => Math.round(r.rate * 1000) / 10, "一学一做完成率（%）"),
        weekly: {
          tooltip: { trigger: "axis" },
          legend: { bottom: 0 },
          grid: { left: 48, right: 16, top: 24, bottom: 48 },
          xAxis: { type: "category", data: x.weekly.map((w) => w.weekStart) },
          yAxis: { type: "value" },
          series: [
            { name: "日志", type: "line", data: x.weekly.map((w) => w.logs) },
            { name: "联系", type: "line", data: x.weekly.map((w) => w.contacts) },
            { name: "活动", type: "line", data: x.weekly.map((w) => w.activities) },
          ],
        },
        mobile: bars(
          [
            { k: "登录的团干部", v: x.mobileUse.cadresSignedIn },
            { k: "用手机端写入的团干部", v: x.mobileUse.cadresOnMobile },
            { k: "日志", v: x.mobileUse.logs },
            { k: "手机端日志", v: x.mobileUse.logsFromMobile },
          ],
          (r) => r.k, (r) => r.v, "手机端使用",
        ),
      };
    });
    function drill(rows) {
      return (p) => {
        const org = rows[p.dataIndex]?.org;
        if (org) router.push(`/orgs/${org.id}/dashboard`);
      };
    }
    const shortcuts = [
      { text: "本月", value: () => { const n = new Date(); return [isoDate(new Date(n.getFullYear(), n.getMonth(), 1)), isoDate(n)]; } },
      { text: "本季度", value: () => { const n = new Date(); return [isoDate(new Date(n.getFullYear(), Math.floor(n.getMonth() / 3) * 3, 1)), isoDate(n)]; } },
      { text: "本年", value: () => { const n = new Date(); return [isoDate(new Date(n.getFullYear(), 0, 1)), isoDate(n)]; } },
    ];
    return { state, d, charts, period, drill, pct, label, shortcuts };
  },
  template: `
  <PageState :state="state">
    <section v-if="d" aria-labelledby="dash-title" class="dashboard">
      <el-breadcrumb separator="/" aria-label="上级组织">
        <el-breadcrumb-item v-for="a in state.data.org.ancestors" :key="a.id" :to="'/orgs/' + a.id + '/dashboard'">{{ a.name }}</el-breadcrumb-item>
        <el-breadcrumb-item>{{ state.data.org.name }}</el-breadcrumb-item>
      </el-breadcrumb>
      <div class="page-head">
        <h2 id="dash-title">{{ state.data.org.name }} · 工作看板</h2>
        <label for="dash-period" class="field-label">统计区间</label>
        <el-date-picker :id="['dash-period', 'dash-period-end']" v-model="period" type="daterange" value-format="YYYY-MM-DD"
          start-placeholder="开始日期" end-placeholder="结束日期" :shortcuts="shortcuts" />
      </div>
      <p class="muted">区间：{{ d.dateFrom }} 至 {{ d.dateTo }}</p>
      <div class="stats" role="list" aria-label="主要数字" data-testid="kpis">
        <el-statistic role="listitem" title="团干部" :value="d.cadres" />
        <el-statistic role="listitem" title="活跃团干部" :value="d.activeCadres" />
        <el-statistic role="listitem" title="联系中的小伙伴" :value="d.youthInContact" />
        <el-statistic role="listitem" title="待确认的小伙伴" :value="d.youthInvited" />
        <el-statistic role="listitem" title="日志" :value="d.logs" />
      </div>
      <div class="grid2">
        <el-card shadow="never"><template #header>日志按类别</template>
          <EChart :option="charts.kind" label="日志按类别" data-chart="logsByKind" /></el-card>
        <el-card shadow="never"><template #header>联系按方式</template>
          <EChart :option="charts.channel" label="联系日志按联系方式" data-chart="logsByChannel" /></el-card>
        <el-card shadow="never"><template #header>下级“五个一”完成率（点击柱子下钻）</template>
          <EChart :option="charts.fiveOnes" label="下级组织五个一完成率" data-chart="fiveOnesByChild" @pick="drill(d.fiveOnesByChild)($event)" />
          <el-table :data="d.fiveOnesByChild" size="small" aria-label="下级五个一完成情况" empty-text="没有下级组织">
            <el-table-column label="组织"><template #default="{ row }"><router-link v-if="row.org" :to="'/orgs/' + row.org.id + '/dashboard'">{{ row.org.name }}</router-link></template></el-table-column>
            <el-table-column prop="cadres" label="团干部" /><el-table-column prop="done" label="完成" />
            <el-table-column label="完成率"><template #default="{ row }">{{ pct(row.rate) }}</template></el-table-column>
          </el-table></el-card>
        <el-card shadow="never"><template #header>下级一学一做完成率</template>
          <EChart :option="charts.learn" label="下级组织一学一做完成率" data-chart="learnAndDoByChild" @pick="drill(d.learnAndDoByChild)($event)" /></el-card>
        <el-card shadow="never"><template #header>每周趋势</template>
          <EChart :option="charts.weekly" label="每周日志趋势" data-chart="weekly" /></el-card>
        <el-card shadow="never"><template #header>手机端使用</template>
          <EChart :option="charts.mobile" label="手机端使用" data-chart="mobileUse" /></el-card>
      </div>
      <el-card shadow="never" class="block"><template #header>小伙伴行业分布（行业最单一的团干部在前）</template>
        <el-table :data="d.industryMix.slice(0, 20)" size="small" aria-label="行业分布" empty-text="暂无数据">
          <el-table-column prop="name" label="团干部" />
          <el-table-column prop="youth" label="小伙伴" />
          <el-table-column prop="industries" label="行业数" />
          <el-table-column label="分布"><template #default="{ row }">{{ row.mix.map(m => m.key + ' ' + m.count).join('，') }}</template></el-table-column>
        </el-table></el-card>
    </section>
  </PageState>`,
};
