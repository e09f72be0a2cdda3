// 实施方案: each League committee's plan for the year, approved or returned with comments by
// the committee above (never by itself: the API answers FORBIDDEN); every submission is a
// new version, kept in the audit log.
import { reactive, ref } from "vue";
import { ElMessage, ElMessageBox } from "element-plus";
import { gql } from "../api.js";
import { ConnectionTable, OrgPicker } from "../components.js";
import { can, fmtTime } from "../util.js";

const PAGE = "pageInfo { hasNextPage endCursor } totalCount";
const STATUS = { SUBMITTED: "待审批", APPROVED: "已通过", RETURNED: "已退回" };
const fail = (e) => {
  if (e !== "cancel" && e !== "close") ElMessage.error(e.message || String(e));
};

export default {
  name: "PlansPage",
  components: { ConnectionTable, OrgPicker },
  setup() {
    const year = new Date().getFullYear();
    const f = reactive({ under: "", year, status: "" });
    const form = reactive({ orgId: "", orgName: "", year, title: "", content: "" });
    const table = ref(null);
    const query = `query($under: ID, $year: Int, $status: ReportStatus, $first: Int, $after: String) {
      implementationPlans(under: $under, year: $year, status: $status, newestFirst: true, first: $first, after: $after) { ${PAGE}
        nodes { id year title content status version submittedAt reviewComment reviewedAt org { id name } } } }`;
    async function submit() {
      try {
        const p = (await gql(`mutation($o: ID!, $y: Int!, $t: String!, $c: String!) {
          submitImplementationPlan(orgId: $o, year: $y, title: $t, content: $c) { id version } }`,
          { o: form.orgId, y: form.year, t: form.title, c: form.content })).submitImplementationPlan;
        ElMessage.success(`已报送（第 ${p.version} 版）`);
        table.value.reload();
      } catch (e) { fail(e); }
    }
    async function review(row, approve) {
      try {
        let comment = "";
        if (approve) comment = (await ElMessageBox.prompt("审批意见（可不填）", "通过实施方案", { inputValue: "同意" })).value || "";
        else comment = (await ElMessageBox.prompt("退回意见", "退回实施方案", { inputValidator: (v) => Boolean(v?.trim()) || "请填写意见" })).value;
        await gql(`mutation($id: ID!, $a: Boolean!, $c: String!) { reviewImplementationPlan(id: $id, approve: $a, comment: $c) { id status } }`,
          { id: row.id, a: approve, c: comment });
        ElMessage.success(approve ? "已通过" : "已退回");
        table.value.reload();
      } catch (e) { fail(e); }
    }
    function edit(row) {
      Object.assign(form, { orgId: row.org?.id || "", orgName: row.org?.name || "", year: row.year, title: row.title, content: row.content });
    }
    return { f, form, table, query, submit, review, edit, can, fmtTime, STATUS };
  },
  template: `
  <section aria-labelledby="plans-title">
    <h2 id="plans-title">实施方案</h2>
    <form class="toolbar" role="search" @submit.prevent>
      <label for="plan-under" class="field-label">组织</label><OrgPicker id="plan-under" v-model="f.under" />
      <label for="plan-year" class="field-label">年度</label><el-input-number id="plan-year" v-model="f.year" :min="2017" :max="2100" />
      <label for="plan-status" class="field-label">状态</label>
      <el-select id="plan-status" v-model="f.status" clearable style="width: 100px"><el-option v-for="(t, k) in STATUS" :key="k" :label="t" :value="k" /></el-select>
    </form>
    <ConnectionTable ref="table" :query="query" path="implementationPlans" :variables="f" label="实施方案列表">
      <el-table-column type="expand"><template #default="{ row }"><p class="plan-text">{{ row.content }}</p></template></el-table-column>
      <el-table-column label="组织"><template #default="{ row }">{{ row.org?.name }}</template></el-table-column>
      <el-table-column prop="year" label="年度" width="70" />
      <el-table-column prop="title" label="标题" />
      <el-table-column label="状态" width="90"><template #default="{ row }">{{ STATUS[row.status] }}</template></el-table-column>
      <el-table-column prop="version" label="版本" width="60" />
      <el-table-column label="报送时间" width="150"><template #default="{ row }">{{ fmtTime(row.submittedAt) }}</template></el-table-column>
      <el-table-column prop="reviewComment" label="审批意见" />
      <el-table-column label="操作" width="190"><template #default="{ row }">
        <template v-if="row.status === 'SUBMITTED' && can('report:approve')"><el-button size="small" type="primary" @click="review(row, true)">通过</el-button>
          <el-button size="small" @click="review(row, false)">退回</el-button></template>
        <el-button v-if="row.status === 'RETURNED' && can('report:manage')" size="small" @click="edit(row)">修改后再报</el-button>
      </template></el-table-column>
    </ConnectionTable>
    <el-card v-if="can('report:manage')" shadow="never" class="block"><template #header>报送本级团委的年度实施方案（退回后修改再报，形成新版本）</template>
      <el-form label-width="90px" @submit.prevent="submit">
        <el-form-item label="团委" for="plan-org"><OrgPicker id="plan-org" v-model="form.orgId" :known-text="form.orgName" /></el-form-item>
        <el-form-item label="方案年度" for="plan-fy"><el-input-number id="plan-fy" v-model="form.year" :min="2017" /></el-form-item>
        <el-form-item label="标题" for="plan-t"><el-input id="plan-t" v-model="form.title" /></el-form-item>
        <el-form-item label="方案内容" for="plan-c"><el-input id="plan-c" v-model="form.content" type="textarea" :rows="6" /></el-form-item>
        <el-button type="primary" native-type="submit">报送</el-button>
      </el-form>
    </el-card>
  </section>`,
};
