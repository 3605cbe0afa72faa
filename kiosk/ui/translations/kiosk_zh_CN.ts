<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AdminLog</name>
    <message>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Person / approval</source>
        <translation>人员/审批号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>身份</translation>
    </message>
    <message>
        <source>Direction</source>
        <translation>方向</translation>
    </message>
    <message>
        <source>Reasons / event</source>
        <translation>原因/事件</translation>
    </message>
    <message>
        <source>Gate</source>
        <translation>校门</translation>
    </message>
    <message>
        <source>admit</source>
        <translation>放行</translation>
    </message>
    <message>
        <source>reject</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>待定</translation>
    </message>
    <message>
        <source>decision</source>
        <translation>通行决定</translation>
    </message>
    <message>
        <source>audit</source>
        <translation>操作审计</translation>
    </message>
    <message>
        <source>device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>purge</source>
        <translation>清理</translation>
    </message>
    <message>
        <source>in</source>
        <translation>进校</translation>
    </message>
    <message>
        <source>out</source>
        <translation>出校</translation>
    </message>
    <message>
        <source>student</source>
        <translation>学生</translation>
    </message>
    <message>
        <source>staff</source>
        <translation>教职工</translation>
    </message>
    <message>
        <source>contractor</source>
        <translation>外包人员</translation>
    </message>
    <message>
        <source>courier_fixed</source>
        <translation>固定快递员</translation>
    </message>
    <message>
        <source>courier_temp</source>
        <translation>临时快递员</translation>
    </message>
    <message>
        <source>delivery</source>
        <translation>外卖配送</translation>
    </message>
    <message>
        <source>visitor</source>
        <translation>访客</translation>
    </message>
</context>
<context>
    <name>AdminWindow</name>
    <message>
        <source>Could not write the log: %1</source>
        <translation>无法写入日志：%1</translation>
    </message>
    <message>
        <source>Gate %1 — administration</source>
        <translation>%1 校门 — 管理</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>Charts</source>
        <translation>统计图</translation>
    </message>
    <message>
        <source>Verify</source>
        <translation>校验</translation>
    </message>
    <message>
        <source>Registry</source>
        <translation>名单</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
</context>
<context>
    <name>CameraPreview</name>
    <message>
        <source>No camera image</source>
        <translation>无摄像头画面</translation>
    </message>
</context>
<context>
    <name>ChartsPage</name>
    <message>
        <source>Loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <source>Admitted %1 · refused %2 · overrides %3</source>
        <translation>放行 %1 · 拒绝 %2 · 人工放行 %3</translation>
    </message>
    <message>
        <source>Decisions per hour</source>
        <translation>每小时通行决定</translation>
    </message>
    <message>
        <source>Admitted</source>
        <translation>放行</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <source>Overrides</source>
        <translation>人工放行</translation>
    </message>
    <message>
        <source>Top reasons for refusal</source>
        <translation>主要拒绝原因</translation>
    </message>
    <message>
        <source>Refusals</source>
        <translation>拒绝次数</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
</context>
<context>
    <name>DevicesPage</name>
    <message>
        <source>not connected to the gate&apos;s devices</source>
        <translation>未连接校门设备</translation>
    </message>
    <message>
        <source>%1 fps</source>
        <translation>%1 帧/秒</translation>
    </message>
    <message>
        <source>%1 frames decoded, %2 with a code, %3 ms per frame on average</source>
        <translation>已识别 %1 帧，其中 %2 帧有码，平均每帧 %3 毫秒</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>连接中</translation>
    </message>
    <message>
        <source>ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>active</source>
        <translation>动作中</translation>
    </message>
    <message>
        <source>reconnecting</source>
        <translation>重连中</translation>
    </message>
    <message>
        <source>stale</source>
        <translation>数据过期</translation>
    </message>
    <message>
        <source>fault</source>
        <translation>故障</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失效</translation>
    </message>
    <message>
        <source>ended</source>
        <translation>已结束</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>Thermometer</source>
        <translation>测温仪</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Decoder</source>
        <translation>解码器</translation>
    </message>
    <message>
        <source>Latest thermometer frames (object / ambient)</source>
        <translation>最近的测温数据（目标/环境）</translation>
    </message>
    <message>
        <source>Codes read per decoder stage</source>
        <translation>各解码阶段读出的码数</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>Codes read</source>
        <translation>读码数</translation>
    </message>
    <message>
        <source>Mean ms</source>
        <translation>平均毫秒</translation>
    </message>
</context>
<context>
    <name>GateScreen</name>
    <message>
        <source>Gate {0}</source>
        <translation>{0} 校门</translation>
    </message>
    <message>
        <source>Fever alert not acknowledged yet (F7)</source>
        <translation>体温异常警报尚未确认（F7）</translation>
    </message>
    <message>
        <source>Check the person and the code, then confirm (F8)</source>
        <translation>请核查人员和健康码后确认（F8）</translation>
    </message>
    <message>
        <source>Refused {0}: {1}</source>
        <translation>已拒绝 {0}：{1}</translation>
    </message>
    <message>
        <source>Direction switched</source>
        <translation>已切换方向</translation>
    </message>
    <message>
        <source>Nobody to retest</source>
        <translation>没有需要复测的人员</translation>
    </message>
    <message>
        <source>No fever alert to acknowledge</source>
        <translation>没有需要确认的体温警报</translation>
    </message>
    <message>
        <source>Scanner input received</source>
        <translation>已收到扫码输入</translation>
    </message>
    <message>
        <source>Nothing to override</source>
        <translation>没有可人工放行的记录</translation>
    </message>
    <message>
        <source>Nobody waits for a guard&apos;s confirmation</source>
        <translation>没有等待保安确认的人员</translation>
    </message>
    <message>
        <source>Nobody is waiting for a host</source>
        <translation>没有等待接洽人员的访客</translation>
    </message>
</context>
<context>
    <name>GateStatusBar</name>
    <message>
        <source>entry</source>
        <translation>进校</translation>
    </message>
    <message>
        <source>exit</source>
        <translation>出校</translation>
    </message>
    <message>
        <source>Gate {0} · {1}</source>
        <translation>{0} 校门 · {1}</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Thermometer</source>
        <translation>测温仪</translation>
    </message>
    <message>
        <source>Relay</source>
        <translation>闸机继电器</translation>
    </message>
    <message>
        <source>ID card</source>
        <translation>身份证</translation>
    </message>
    <message>
        <source>{0}: unknown</source>
        <translation>{0}：未知</translation>
    </message>
    <message>
        <source>people</source>
        <translation>人员名单</translation>
    </message>
    <message>
        <source>visit approvals</source>
        <translation>来访审批</translation>
    </message>
    <message>
        <source>stay approvals</source>
        <translation>留校审批</translation>
    </message>
    <message>
        <source>leave approvals</source>
        <translation>离校审批</translation>
    </message>
    <message>
        <source>quarantine holds</source>
        <translation>隔离名单</translation>
    </message>
    <message>
        <source>risk areas</source>
        <translation>风险地区</translation>
    </message>
    <message>
        <source>check-ins</source>
        <translation>每日健康打卡</translation>
    </message>
    <message>
        <source>revoked passes</source>
        <translation>已注销通行证</translation>
    </message>
    <message>
        <source>trust list</source>
        <translation>信任密钥</translation>
    </message>
    <message>
        <source>vehicles</source>
        <translation>车辆名单</translation>
    </message>
    <message>
        <source>{0} never synced</source>
        <translation>{0}从未同步</translation>
    </message>
    <message>
        <source>Sync: not configured</source>
        <translation>同步：未配置</translation>
    </message>
    <message>
        <source>registry never synced</source>
        <translation>名单从未同步</translation>
    </message>
    <message>
        <source>registry {0} old</source>
        <translation>名单已过 {0}</translation>
    </message>
    <message>
        <source>{0} {1} old</source>
        <translation>{0}已过 {1}</translation>
    </message>
    <message>
        <source>backlog unknown</source>
        <translation>待上传未知</translation>
    </message>
    <message>
        <source>backlog {0}</source>
        <translation>待上传 {0} 条</translation>
    </message>
    <message>
        <source>last error: {0}</source>
        <translation>最近错误：{0}</translation>
    </message>
    <message>
        <source>Sync: </source>
        <translation>同步：</translation>
    </message>
</context>
<context>
    <name>GuardPanel</name>
    <message>
        <source>Switch direction</source>
        <translation>切换方向</translation>
    </message>
    <message>
        <source>Manual entry</source>
        <translation>手工录入</translation>
    </message>
    <message>
        <source>Retest</source>
        <translation>复测</translation>
    </message>
    <message>
        <source>Override</source>
        <translation>人工放行</translation>
    </message>
    <message>
        <source>Host confirmed</source>
        <translation>接洽人已确认</translation>
    </message>
    <message>
        <source>Acknowledge fever</source>
        <translation>确认体温警报</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>保安确认</translation>
    </message>
    <message>
        <source>中文 / English</source>
        <translation>中文 / English</translation>
    </message>
    <message>
        <source>Admin</source>
        <translation>管理</translation>
    </message>
</context>
<context>
    <name>LogPage</name>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message numerus="yes">
        <source>%n record(s) exported to %1</source>
        <translation>
            <numerusform>已导出 %n 条记录到 %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>导出失败：%1</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>导出 CSV</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>This record is no longer in the log.</source>
        <translation>该记录已不在日志中。</translation>
    </message>
    <message>
        <source>Reasons:</source>
        <translation>原因：</translation>
    </message>
    <message>
        <source>(any)</source>
        <translation>（全部）</translation>
    </message>
    <message numerus="yes">
        <source>%n record(s) loaded, counting…</source>
        <translation>
            <numerusform>已加载 %n 条，正在计数…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n record(s) match</source>
        <translation>
            <numerusform>共 %n 条符合</numerusform>
        </translation>
    </message>
    <message>
        <source> (%1 loaded)</source>
        <translation>（已加载 %1 条）</translation>
    </message>
    <message>
        <source>Database error: %1</source>
        <translation>数据库错误：%1</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>身份</translation>
    </message>
    <message>
        <source>Direction</source>
        <translation>方向</translation>
    </message>
    <message>
        <source>Gate</source>
        <translation>校门</translation>
    </message>
    <message>
        <source>Person / approval no.</source>
        <translation>人员号/审批号</translation>
    </message>
    <message>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <source>Time range</source>
        <translation>时间范围</translation>
    </message>
    <message>
        <source>exact number, then Enter</source>
        <translation>输入完整号码后回车</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
</context>
<context>
    <name>ManualEntryDialog</name>
    <message>
        <source>Manual entry</source>
        <translation>手工录入</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <source>Person number</source>
        <translation>人员编号</translation>
    </message>
    <message>
        <source>Approval number</source>
        <translation>审批编号</translation>
    </message>
    <message>
        <source>Number plate</source>
        <translation>车牌</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>号码</translation>
    </message>
</context>
<context>
    <name>OverrideDialog</name>
    <message>
        <source>Override</source>
        <translation>人工放行</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Admin PIN needed for: {0}</source>
        <translation>需要管理员 PIN 码：{0}</translation>
    </message>
    <message>
        <source>Admin PIN</source>
        <translation>管理员 PIN 码</translation>
    </message>
    <message>
        <source>Locked after wrong PINs: try again later</source>
        <translation>PIN 码错误次数过多已锁定，请稍后再试</translation>
    </message>
</context>
<context>
    <name>PinDialog</name>
    <message>
        <source>Wrong PIN.</source>
        <translation>PIN 码错误。</translation>
    </message>
    <message>
        <source>Too many wrong PINs: the admin screen is locked.</source>
        <translation>PIN 码错误次数过多，管理界面已锁定。</translation>
    </message>
    <message>
        <source>Admin PIN</source>
        <translation>管理员 PIN 码</translation>
    </message>
    <message>
        <source>Enter the admin PIN:</source>
        <translation>请输入管理员 PIN 码：</translation>
    </message>
</context>
<context>
    <name>RegistryPage</name>
    <message>
        <source>(not read yet)</source>
        <translation>（尚未读取）</translation>
    </message>
    <message>
        <source>(none: nothing imported or synced)</source>
        <translation>（无：尚未导入或同步）</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Registry version</source>
        <translation>名单版本</translation>
    </message>
    <message>
        <source>Last synced</source>
        <translation>上次同步</translation>
    </message>
    <message>
        <source>Upload backlog</source>
        <translation>待上传记录</translation>
    </message>
    <message>
        <source>Table</source>
        <translation>数据表</translation>
    </message>
    <message>
        <source>Rows</source>
        <translation>行数</translation>
    </message>
</context>
<context>
    <name>VerifyPage</name>
    <message>
        <source>Checking the chain…</source>
        <translation>正在校验日志链…</translation>
    </message>
    <message numerus="yes">
        <source>Intact: %n record(s) checked, no problem found.</source>
        <translation>
            <numerusform>完整：已校验 %n 条记录，未发现问题。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>TAMPERED: %n problem(s) found.</source>
        <translation>
            <numerusform>已被篡改：发现 %n 处问题。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n record(s) checked.</source>
        <translation>
            <numerusform>已校验 %n 条记录。</numerusform>
        </translation>
    </message>
    <message>
        <source>Verification failed: %1</source>
        <translation>校验失败：%1</translation>
    </message>
    <message>
        <source>Verify the log chain</source>
        <translation>校验日志链</translation>
    </message>
    <message>
        <source>Not checked yet.</source>
        <translation>尚未校验。</translation>
    </message>
</context>
</TS>
