// Youth import (preview the per-row report, then confirm or cancel) and export as files.
import { computed, ref } from "vue";
import { ElMessage } from "element-plus";
import { gql } from "../api.js";
import { OrgPicker } from "../components.js";
import { me } from "../store.js";
import { can, download, fileToBase64 } from "../util.js";

const IMPORT = `mutation($f: String!, $c: String!, $valid: Boolean!, $dry: Boolean!) {
  importYouth(input: { filename: $f, contentBase64: $c, importValidRows: $valid, dryRun: $dry }) {
    written invited matched unchanged rejected rows { row name mobile outcome reason } } }`;
const OUTCOME = { INVITED: "邀请", MATCHED: "匹配已有", UNCHANGED: "无变化", REJECTED: "错误" };

export default {
  name: "YouthIoPage",
  components: { OrgPicker },
  setup() {
    const file = ref(null);
    const content = ref("");
    const report = ref(null);
    const busy = ref(false);
    const done = ref(null);
    const exportUnder = ref("");
    const exportFormat = ref("XLSX");

    async function pick(event) {
      const f = event.target.files[0];
      report.value = done.value = null;
      if (!f) return;
      file.value = f;
      content.value = await fileToBase64(f);
      await run(true, false);
    }
    async function run(dry, valid) {
      busy.value = true;
      try {
        const r = (await gql(IMPORT, { f: file.value.name, c: content.value, valid, dry })).importYouth;
        if (dry) report.value = r;
        else {
          done.value = r;
          report.value = null;
          ElMessage.success(`已导入：邀请 ${r.invited}，匹配 ${r.matched}`);
        }
      } catch (e) {
        ElMessage.error(e.message);
      } finally {
        busy.value = false;
      }
    }
    function cancel() {
      report.value = null;
      file.value = null;
      content.value = "";
      document.getElementById("import-file").value = "";
    }
    async function exportList() {
      busy.value = true;
      try {
        const r = (await gql(`query($f: ExportFormat!, $u: ID) { exportYouth(format: $f, under: $u) { filename downloadUrl rows } }`,
          { f: exportFormat.value, u: exportUnder.value || null })).exportYouth;
        download(r.downloadUrl, r.filename);
        ElMessage.success(`已导出 ${r.rows} 行`);
      } catch (e) {
        ElMessage.error(e.message);
      } finally {
        busy.value = false;
      }
    }
    const rejectedRows = computed(() => report.value?.rows.filter((r) => r.outcome === "REJECTED") || []);
    return { me, can, file, report, done, busy, pick, run, cancel, exportList, exportUnder, exportFormat, rejectedRows, OUTCOME };
  },
  template: `
  <section aria-labelledby="io-title">
    <h2 id="io-title">名单导入导出</h2>
    <el-card v-if="me.cadre" shadow="never" class="block">
      <template #header>导入到我的名单（xlsx 或 csv，表头：姓名、手机号、行业）</template>
      <label for="import-file" class="field-label">选择文件</label>
      <input id="import-file" type="file" accept=".xlsx,.csv" @change="pick" :disabled="busy" />
      <div v-if="report" class="import-report" data-testid="import-report">
        <el-alert v-if="report.rejected" type="error" :closable="false" show-icon role="alert"
          :title="'有 ' + report.rejected + ' 行错误：尚未写入任何数据'" />
        <el-alert v-else type="info" :closable="false" show-icon
          :title="'校验通过：将邀请 ' + report.invited + '，匹配 ' + report.matched + '，无变化 ' + report.unchanged + '。确认后写入。'" />
        <el-table :data="report.rows" size="small" aria-label="逐行报告" max-height="360">
          <el-table-column prop="row" label="行号" width="70" />
          <el-table-column prop="name" label="姓名" /><el-table-column prop="mobile" label="手机号" />
          <el-table-column label="结果" width="100"><template #default="{ row }">
            <el-tag :type="row.outcome === 'REJECTED' ? 'danger' : 'success'" size="small">{{ OUTCOME[row.outcome] }}</el-tag></template></el-table-column>
          <el-table-column prop="reason" label="原因" />
        </el-table>
        <div class="actions">
          <el-button v-if="!report.rejected" type="primary" :loading="busy" @click="run(false, false)">确认导入</el-button>
          <el-button v-else-if="report.invited + report.matched > 0" type="warning" :loading="busy" @click="run(false, true)">只导入正确的行</el-button>
          <el-button @click="cancel">取消</el-button>
        </div>
      </div>
      <el-alert v-if="done" type="success" :closable="false" data-testid="import-done"
        :title="'已写入：邀请 ' + done.invited + '，匹配 ' + done.matched + '，无变化 ' + done.unchanged" />
    </el-card>
    <el-card shadow="never" class="block">
      <template #header>导出名单</template>
      <form class="toolbar" @submit.prevent="exportList">
        <label for="export-under" class="field-label">范围</label>
        <OrgPicker v-if="can('youth:view')" id="export-under" v-model="exportUnder" placeholder="不选为我的名单" />
        <span v-else>我的名单</span>
        <label for="export-format" class="field-label">格式</label>
        <el-select id="export-format" v-model="exportFormat" style="width: 100px"><el-option label="Excel" value="XLSX" /><el-option label="CSV" value="CSV" /></el-select>
        <el-button type="primary" native-type="submit" :loading="busy">下载</el-button>
      </form>
    </el-card>
  </section>`,
};
