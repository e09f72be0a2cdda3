export default {
  name: "NotFoundPage",
  props: { message: { type: String, default: "" } },
  template: `
  <el-result icon="warning" title="页面不存在" data-testid="not-found"
             :sub-title="message || '您要找的页面不存在，或不在您的权限范围内。'">
    <template #extra><router-link to="/">返回首页</router-link></template>
  </el-result>`,
};
