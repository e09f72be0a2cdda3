// Roster import (名册导入): orgs (importOrgs) or cadres with their accounts (importCadres).
// The file is first sent as a dry run: the per-row report shows what would be created, what
// exists already and what is wrong; only a clean report can be committed, all or nothing.
import { reactive, ref } from "vue";
import { ElMessage } from "element-plus";
import { gql } from "../api.js";
import { can, fileToBase64 } from "../util.js";

const REPORT = "written dryRun created unchanged rejected rows { row key name outcome reason }";
const ORGS = `mutation($f: String!, $c: String!, $dry: Boolean!) {
  importOrgs(input: { filename: $f, contentBase64: $c, dryRun: $dry }) { ${REPORT} } }`;
const CADRES = `mutation($f: String!, $c: String!, $p: String!, $dry: Boolean!) {
  importCadres(input: { filename: $f, contentBase64: $c, initialPassword: $p, dryRun: $dry }) { ${REPORT} } }`;
const OUTCOME = { CREATED: "新建", UNCHANGED: "已存在", REJECTED: "错误" };
const HEADERS = {
  orgs: "表头：组织代码、组织名称、上级组织代码、层级、类型（可选：智慧团建编码、领导机关）",
  cadres: "表头：用户名、姓名、组织代码、类型、职务（可选：手机号、领导机关干部）",
};

export default {
  name: "RosterImportPage",
  setup() {
    const kind = ref(can("org:manage") ? "orgs" : "cadres");
    const form = reactive({ name: "", content: "", password: "" });
    const report = ref(null);
    const done = ref(null);
    const busy = ref(false);

    async function pick(event) {
      const f = event.target.files[0];
      report.value = done.value = null;
      if (!f) return;
      form.name = f.name;
      form.content = await fileToBase64(f);
      await run(true);
    }
    async function run(dry) {
      if (kind.value === "cadres" && !form.password) {
        ElMessage.warning("请先填写新账号的初始密码");
        return;
      }
      busy.value = true;
      try {
        const vars = { f: form.name, c: form.content, p: form.password, dry };
        const d = await gql(kind.value === "orgs" ? ORGS : CADRES, vars);
        const r = d.importOrgs || d.importCadres;
        if (dry) report.value = r;
        else {
          report.value = null;
          done.value = r;
          ElMessage.success(`已写入：新建 ${r.created}，已存在 ${r.unchanged}`);
        }
      } catch (e) {
        ElMessage.error(e.message);
      } finally {
        busy.value = false;
      }
    }
    function cancel() {
      report.value = null;
      form.name = form.content = "";
      document.getElementById("roster-file").value = "";
    }
    function switchKind() {
      cancel();
      done.value = null;
    }
    return { can, kind, form, report, done, busy, pick, run, cancel, switchKind, OUTCOME, HEADERS };
  },
  template: `
  <section aria-labelledby="roster-title">
    <h2 id="roster-title">名册导入</h2>
    <el-card shadow="never" class="block">
      <template #header>先预览逐行报告，全部正确才能确认写入（要么全部写入，要么都不写）</template>
      <div class="toolbar">
        <label for="roster-kind" class="field-label">导入内容</label>
        <el-radio-group id="roster-kind" v-model="kind" @change="switchKind" aria-label="导入内容">
          <el-radio-button v-if="can('org:manage')" value="orgs">团组织</el-radio-button>
          <el-radio-button v-if="can('cadre:manage')" value="cadres">团干部及账号</el-radio-button>
        </el-radio-group>
      </div>
      <p class="hint">{{ HEADERS[kind] }}；xlsx 或 csv</p>
      <div v-if="kind === 'cadres'" class="toolbar">
        <label for="roster-password" class="field-label">初始密码</label>
        <el-input id="roster-password" v-model="form.password" type="password" show-password style="width: 220px" />
      </div>
      <label for="roster-file" class="field-label">选择文件</label>
      <input id="roster-file" type="file" accept=".xlsx,.csv" @change="pick" :disabled="busy" />
      <div v-if="report" class="import-report" data-testid="roster-report">
        <el-alert v-if="report.rejected" type="error" :closable="false" show-icon role="alert"
          :title="'有 ' + report.rejected + ' 行错误：尚未写入任何数据'" />
        <el-alert v-else type="info" :closable="false" show-icon
          :title="'校验通过：将新建 ' + report.created + '，已存在 ' + report.unchanged + '。确认后写入。'" />
        <el-table :data="report.rows" size="small" aria-label="名册逐行报告" max-height="360">
          <el-table-column prop="row" label="行号" width="70" />
          <el-table-column prop="key" label="代码 / 用户名" /><el-table-column prop="name" label="名称 / 姓名" />
          <el-table-column label="结果" width="100"><template #default="{ row }">
            <el-tag :type="row.outcome === 'REJECTED' ? 'danger' : 'success'" size="small">{{ OUTCOME[row.outcome] }}</el-tag></template></el-table-column>
          <el-table-column prop="reason" label="原因" />
        </el-table>
        <div class="actions">
          <el-button v-if="!report.rejected" type="primary" :loading="busy" @click="run(false)">确认导入</el-button>
          <el-button @click="cancel">取消</el-button>
        </div>
      </div>
      <el-alert v-if="done" type="success" :closable="false" data-testid="roster-done"
        :title="'已写入：新建 ' + done.created + '，已存在 ' + done.unchanged" />
    </el-card>
  </section>`,
};
